// Small DOM helpers: build elements without innerHTML (so no markup from data can run),
// and show an error next to what caused it.

export const $ = (id) => document.getElementById(id);

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Show `message` in the error element `el` (hidden when empty) and tie it to `field` so a
// screen reader reads it with the field that caused it.
export function showError(el, message, field = null) {
  el.textContent = message || "";
  el.hidden = !message;
  if (field) {
    field.setAttribute("aria-invalid", message ? "true" : "false");
    const ids = new Set((field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    if (message) ids.add(el.id); else ids.delete(el.id);
    field.setAttribute("aria-describedby", [...ids].join(" "));
  }
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll(".error")) showError(el, "");
  for (const el of form.querySelectorAll("[aria-invalid]")) el.setAttribute("aria-invalid", "false");
}

// Keep a button from being pressed twice while its request runs.
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

export function formatDate(iso) {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function formatBytes(n) {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
