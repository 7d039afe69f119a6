// The gallery: every picture at thumbnail size with Make active, Edit and Delete, the active
// one marked, its processing state until ready, its expiry, and its views per day.
import { api, describe } from "./api.js";
import { confirmAction } from "./dialog.js";
import { $, formatDate, h, showError } from "./dom.js";
import { openEditor } from "./editor.js";
import { observeStats } from "./stats.js";

const THUMB = 128; // the thumbnail variant's longest side
const POLL_MS = 1000;
const POLL_LIMIT = 120;
let ctx = null;
let photos = [];
let nextCursor = null;
const polling = new Set();
const uploadRows = new Map(); // photo id -> the status text of its upload row

function thumbSize(photo) {
  const scale = Math.min(1, THUMB / Math.max(photo.width, photo.height));
  return [Math.max(1, Math.round(photo.width * scale)), Math.max(1, Math.round(photo.height * scale))];
}

function statusText(photo) {
  if (photo.status === "processing") return "Processing…";
  if (photo.status === "failed") return "Could not be processed; shown from the original.";
  return "";
}

function card(photo, index) {
  const active = ctx.session.me.active_photo_id === photo.id;
  const [w, h_] = thumbSize(photo);
  // Until the thumbnail variant exists, the photo route serves a sanitized rendering of the
  // original at that size: the box is the final size either way, so nothing jumps.
  const src = photo.variants?.thumbnail || `${photo.url}?size=thumbnail`;
  const label = photo.alt || `Picture ${index + 1}, ${photo.width} × ${photo.height}`;
  const error = h("p", { class: "error", id: `photo-error-${photo.id}`, role: "alert", hidden: true });
  const buttons = [
    active ? null : h("button", { type: "button", onclick: (e) => makeActive(photo, e.target, error) }, "Make active"),
    h("button", { type: "button", onclick: () => edit(photo, error) }, "Edit"),
    h("button", { type: "button", class: "danger-quiet", onclick: (e) => remove(photo, e.target, error) }, "Delete"),
  ];
  const status = statusText(photo);
  return h("li", { class: `photo${active ? " active" : ""}`, "data-photo-id": photo.id, "aria-label": label },
    h("div", { class: "thumb" },
      h("img", { src, width: w, height: h_, loading: "lazy", decoding: "async", alt: label })),
    active ? h("p", { class: "badge", text: "Active" }) : null,
    h("p", { class: "meta" }, `${photo.width} × ${photo.height} · ${photo.format.toUpperCase()}`),
    status ? h("p", { class: `meta status-${photo.status}`, role: "status", text: status }) : null,
    photo.expires_at ? h("p", { class: "meta expiry", text: `Expires ${formatDate(photo.expires_at)}` }) : null,
    h("div", { class: "photo-actions" }, buttons),
    error,
    h("div", { class: "views", "data-stats-for": photo.id }));
}

function render() {
  const list = $("gallery");
  list.replaceChildren(...photos.map(card));
  $("gallery-empty").hidden = photos.length > 0;
  $("gallery-more").hidden = !nextCursor;
  for (const el of list.querySelectorAll("[data-stats-for]")) observeStats(el);
  for (const photo of photos) if (photo.status === "processing") poll(photo.id);
  ctx.photosRendered?.(); // the email section lists the pictures too
}

async function poll(id) {
  if (polling.has(id)) return;
  polling.add(id);
  try {
    for (let i = 0; i < POLL_LIMIT; i++) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (!photos.some((p) => p.id === id)) return;
      let fresh;
      try { fresh = await api("GET", `/v1/photos/${id}`); } catch { continue; }
      if (fresh.status !== "processing") { replace(fresh); return; }
    }
  } finally {
    polling.delete(id);
  }
}

function replace(photo) {
  photos = photos.map((p) => (p.id === photo.id ? photo : p));
  const row = uploadRows.get(photo.id);
  if (row) row.textContent = photo.status === "ready" ? "Uploaded and ready." : `Uploaded. ${statusText(photo)}`;
  render();
}

export async function loadGallery() {
  photos = [];
  nextCursor = null;
  await more();
}

async function more() {
  try {
    const path = nextCursor ? `/v1/photos?cursor=${encodeURIComponent(nextCursor)}` : "/v1/photos";
    const page = await api("GET", path);
    photos = photos.concat(page.photos.filter((p) => !photos.some((q) => q.id === p.id)));
    nextCursor = page.next_cursor;
    showError($("gallery-error"), "");
    render();
  } catch (problem) {
    showError($("gallery-error"), describe(problem, "The gallery"));
  }
}

// A new picture (uploaded or edited) goes first, as the API lists them newest first.
// `row`: the upload row's status text, told when processing ends.
export function onPhotosChanged(photo, row = null) {
  if (row) uploadRows.set(photo.id, row);
  photos = [photo, ...photos.filter((p) => p.id !== photo.id)];
  render();
}

async function makeActive(photo, button, error) {
  button.disabled = true;
  try {
    await api("PUT", "/v1/me/active-photo", { photo_id: photo.id });
    await ctx.refreshMe();
    render();
    // Its Make active button is gone: keep the keyboard in that card.
    $("gallery").querySelector(`[data-photo-id="${photo.id}"] button`)?.focus();
  } catch (problem) {
    button.disabled = false;
    showError(error, describe(problem, "Choosing the active picture"));
  }
}

function edit(photo, error) {
  openEditor(photo, {
    saved: (created) => onPhotosChanged(created),
    failed: (message) => showError(error, message),
  });
}

async function remove(photo, button, error) {
  const sure = await confirmAction({
    title: "Delete this picture?",
    text: ctx.session.me.active_photo_id === photo.id
      ? "It is your active picture: your URL shows the default picture until you make another one active."
      : "Its link stops working. This cannot be undone.",
    ok: "Delete",
  });
  if (!sure) return button.focus();
  try {
    await api("DELETE", `/v1/photos/${photo.id}`);
    photos = photos.filter((p) => p.id !== photo.id);
    await ctx.refreshMe();
    render();
    $("gallery-title").focus();
  } catch (problem) {
    showError(error, describe(problem, "Deleting"));
  }
}

export function currentPhotos() {
  return photos;
}

export function mountGallery(context) {
  ctx = context;
  $("gallery-more").addEventListener("click", more);
}
