// Edit a picture: a square crop box (Cropper.js) and quarter turns, saved through the
// transform API as a new picture (the original stays). Arrow keys move the box, + and -
// resize it, so the editor works without a pointer too.
import Cropper from "/web/vendor/cropper.esm.js";
import { api, describe } from "./api.js";
import { $, busy, showError } from "./dom.js";

const STEP = 10; // pixels of the on-screen box per key press
let cropper = null;
let photo = null;
let handlers = null;

function close() {
  cropper?.destroy();
  cropper = null;
  $("edit-dialog").close();
}

function start() {
  cropper?.destroy();
  cropper = new Cropper($("edit-image"), {
    aspectRatio: 1, viewMode: 1, autoCropArea: 1, dragMode: "move", zoomable: false,
    background: false, checkCrossOrigin: false, toggleDragModeOnDblclick: false,
  });
}

// The crop box in the original's pixels: Cropper reports it in the pixels of the image it
// shows (the `large` rendering), rotated as shown; the API takes the rotated original's.
export function cropInOriginal(data, shown, original) {
  const scale = original.width / shown.width;
  const turned = data.rotate % 180 !== 0;
  const [w, h] = turned ? [original.height, original.width] : [original.width, original.height];
  const x = Math.max(0, Math.round(data.x * scale));
  const y = Math.max(0, Math.round(data.y * scale));
  const side = Math.max(1, Math.min(Math.round(data.width * scale), w - x, h - y));
  return { x, y, width: side, height: side };
}

async function save() {
  const data = cropper.getData();
  const img = $("edit-image");
  const rotate = ((Math.round(data.rotate) % 360) + 360) % 360;
  const body = { crop: cropInOriginal({ ...data, rotate }, { width: img.naturalWidth },
                                      { width: photo.width, height: photo.height }) };
  if (rotate) body.rotate = rotate;
  try {
    const created = await api("PUT", `/v1/photos/${photo.id}/transform`, body);
    close();
    handlers.saved(created);
  } catch (problem) {
    showError($("edit-error"), describe(problem, "Editing pictures"));
  }
}

function onKey(event) {
  if (!cropper) return;
  const box = cropper.getCropBoxData();
  const moves = { ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0], ArrowUp: [0, -STEP], ArrowDown: [0, STEP] };
  if (moves[event.key]) {
    const [dx, dy] = moves[event.key];
    cropper.setCropBoxData({ left: box.left + dx, top: box.top + dy });
  } else if (event.key === "+" || event.key === "=") {
    cropper.setCropBoxData({ width: box.width + STEP, height: box.height + STEP });
  } else if (event.key === "-") {
    cropper.setCropBoxData({ width: Math.max(STEP, box.width - STEP), height: Math.max(STEP, box.height - STEP) });
  } else {
    return;
  }
  event.preventDefault();
}

export function openEditor(target, callbacks) {
  photo = target;
  handlers = callbacks;
  const img = $("edit-image");
  showError($("edit-error"), "");
  img.removeAttribute("src"); // a new load event even for the same picture
  img.addEventListener("load", start, { once: true });
  img.addEventListener("error", () => showError($("edit-error"), "The picture could not be loaded for editing."),
                       { once: true });
  img.src = `${photo.url}?size=large`;
  $("edit-dialog").showModal();
  $("rotate-right").focus();
}

$("rotate-left").addEventListener("click", () => cropper?.rotate(-90));
$("rotate-right").addEventListener("click", () => cropper?.rotate(90));
$("edit-cancel").addEventListener("click", close);
$("edit-save").addEventListener("click", (e) => cropper && busy(e.target, save));
$("edit-dialog").addEventListener("cancel", () => { cropper?.destroy(); cropper = null; });
$("edit-dialog").addEventListener("keydown", (e) => {
  if (e.target.closest(".editor-stage")) onKey(e);
});
