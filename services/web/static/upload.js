// Uploading several pictures at once, by the file picker or drag and drop: each file gets a
// row with a progress bar, then its outcome in words. Two run at a time.
import { api, headersFor, problemFrom } from "./api.js";
import { $, formatBytes, h } from "./dom.js";

const PARALLEL = 2;
let onUploaded = () => {};
let direct = true; // false once the server says it has no presigned uploads (404/405)

// POST a form with upload progress: fetch() cannot report that, XMLHttpRequest can.
// Resolves with the parsed JSON answer (null for an empty one).
function post(url, form, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    // Our own origin gets the CSRF header; the object store (another origin) gets no
    // header of ours, only the signed form.
    if (new URL(url, location.href).origin === location.origin) {
      for (const [k, v] of Object.entries(headersFor("POST"))) xhr.setRequestHeader(k, v);
    }
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", async () => {
      const response = new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status,
        headers: { "Content-Type": xhr.getResponseHeader("Content-Type") || "" } });
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.responseText ? JSON.parse(xhr.responseText) : null);
      else reject(await problemFrom(response));
    });
    // The server may refuse a body mid-way (too large) and close the connection before the
    // browser reads its answer: say what most likely happened.
    xhr.addEventListener("error", () => reject(new Error(
      "The upload was cut off. The file may be too large, or the connection dropped.")));
    xhr.send(form);
  });
}

function multipart(file, progress) {
  const form = new FormData();
  form.append("file", file, file.name);
  return post("/v1/photos", form, progress);
}

// The presigned direct upload (API.md, Photos): a ticket, the bytes straight to the object
// store with its signed form, then "complete" runs the same checks as POST /v1/photos.
// Null when this server has no such thing; the caller then uses the multipart upload.
async function presigned(file, progress) {
  let ticket;
  try {
    ticket = await api("POST", "/v1/uploads", { content_type: file.type || "application/octet-stream", bytes: file.size });
  } catch (problem) {
    if (problem.missingFeature) return null;
    throw problem;
  }
  const form = new FormData();
  for (const [k, v] of Object.entries(ticket.fields || {})) form.append(k, v);
  form.append("file", file, file.name); // last: S3 ignores fields after the file
  await post(ticket.url, form, progress);
  return api("POST", `/v1/uploads/${encodeURIComponent(ticket.id)}/complete`, {});
}

async function send(file, progress) {
  if (direct) {
    const photo = await presigned(file, progress);
    if (photo) return photo;
    direct = false;
  }
  return multipart(file, progress);
}

function row(file) {
  const progress = h("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
  const status = h("span", { class: "upload-status", text: "Waiting…" });
  const li = h("li", { class: "upload-row" },
    h("span", { class: "upload-name", text: file.name }),
    h("span", { class: "hint", text: formatBytes(file.size) }), progress, status);
  $("upload-list").prepend(li);
  return { li, progress, status };
}

async function uploadOne(file) {
  const { li, progress, status } = row(file);
  status.textContent = "Uploading…";
  try {
    const photo = await send(file, progress);
    progress.value = 100;
    progress.remove();
    li.classList.add("done");
    status.textContent = photo.status === "ready" ? "Uploaded." : "Uploaded, processing…";
    onUploaded(photo, status);
  } catch (problem) {
    progress.remove();
    li.classList.add("failed");
    status.textContent = `Not uploaded: ${problem.message}`;
    status.setAttribute("role", "alert");
  }
}

async function uploadAll(files) {
  const queue = [...files];
  const workers = Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
    while (queue.length) await uploadOne(queue.shift());
  });
  await Promise.all(workers);
}

export function mountUpload(uploaded) {
  onUploaded = uploaded;
  const input = $("upload-input");
  const zone = $("drop-zone");
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = "";
    if (files.length) uploadAll(files);
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  }
  for (const type of ["dragleave", "drop"]) {
    zone.addEventListener(type, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    const files = [...(e.dataTransfer?.files || [])];
    if (files.length) uploadAll(files);
  });
}
