// A confirmation in a modal <dialog>: focus moves into it, Escape cancels, and the page
// behind is inert until it closes.
import { $ } from "./dom.js";

export function confirmAction({ title, text, ok = "Delete" }) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = ok;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    $("confirm-cancel").focus();
  });
}
