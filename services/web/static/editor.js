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
    aspectRatio: 1, viewMode: 2, autoCropArea: 1, dragMode: "move", zoomable: false,
    background: false, checkCrossOrigin: false, toggleDragModeOnDblclick: false,
  });
}

// The crop box in the original's pixels. Cropper reports it in the pixels of the image it
// shows (the `large` rendering), in the frame of the picture as turned on screen; the API
// crops the original before it turns it (API.md: crop, then rotate), so the box is turned
// back into the original's frame.
export function cropInOriginal(data, shownWidth, original) {
  const s = original.width / shownWidth;
  const r = ((Math.round(data.rotate) % 360) + 360) % 360;
  const [W, H] = [original.width, original.height];
  const [X, Y, w, h] = [data.x * s, data.y * s, data.width * s, data.height * s];
  const box = { 0: [X, Y, w, h], 90: [Y, H - X - w, h, w], 180: [W - X - w, H - Y - h, w, h],
                270: [W - Y - h, X, h, w] }[r];
  let [x, y, bw, bh] = box.map(Math.round);
  x = Math.min(Math.max(0, x), W - 1);
  y = Math.min(Math.max(0, y), H - 1);
  const side = Math.max(1, Math.min(bw, bh, W - x, H - y));
  return { x, y, width: side, height: side };
}

async function save() {
  const data = cropper.getData();
  const rotate = ((Math.round(data.rotate) % 360) + 360) % 360;
  const body = { crop: cropInOriginal(data, $("edit-image").naturalWidth, photo) };
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

// Cropper turns the picture in place and lets it overflow the stage; fit it again, with
// the largest square in the middle, so all of it can be chosen from.
function turn(degrees) {
  if (!cropper) return;
  cropper.rotate(degrees);
  const stage = cropper.getContainerData();
  const canvas = cropper.getCanvasData();
  const [nw, nh] = [canvas.naturalWidth, canvas.naturalHeight]; // of the turned picture
  const scale = Math.min(stage.width / nw, stage.height / nh);
  const [w, h] = [nw * scale, nh * scale];
  cropper.setCanvasData({ width: w, height: h }); // size first: Cropper places by the old size
  cropper.setCanvasData({ left: (stage.width - w) / 2, top: (stage.height - h) / 2 });
  const side = Math.min(w, h);
  cropper.setCropBoxData({ left: (stage.width - side) / 2, top: (stage.height - side) / 2, width: side, height: side });
}

$("rotate-left").addEventListener("click", () => turn(-90));
$("rotate-right").addEventListener("click", () => turn(90));
$("edit-cancel").addEventListener("click", close);
$("edit-save").addEventListener("click", (e) => cropper && busy(e.target, save));
$("edit-dialog").addEventListener("cancel", () => { cropper?.destroy(); cropper = null; });
$("edit-dialog").addEventListener("keydown", (e) => {
  if (e.target.closest(".editor-stage")) onKey(e);
});
