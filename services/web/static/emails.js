// Email addresses: add one (a verification message goes out), see whether it is confirmed,
// choose which picture it shows, remove it.
import { api, describe } from "./api.js";
import { $, busy, h, showError } from "./dom.js";
import { currentPhotos } from "./gallery.js";

let ctx = null;

function pictureChoice(entry) {
  const id = `email-photo-${entry.md5}`;
  const select = h("select", { id },
    h("option", { value: "", text: "Your active picture" }),
    currentPhotos().map((p, i) => h("option", { value: p.id, text: p.alt || `Picture ${i + 1} (${p.width} × ${p.height})` })));
  select.value = entry.photo_id || "";
  const error = h("p", { class: "error", id: `${id}-error`, role: "alert", hidden: true });
  select.addEventListener("change", async () => {
    try {
      await api("PUT", `/v1/me/emails/${encodeURIComponent(entry.email)}`, { photo_id: select.value || null });
      showError(error, "", select);
      await ctx.refreshMe();
    } catch (problem) {
      showError(error, describe(problem, "Choosing a picture for an address"), select);
    }
  });
  return h("div", { class: "field" }, h("label", { for: id, text: `Picture shown for ${entry.email}` }), select, error);
}

function item(entry) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const remove = h("button", { type: "button", class: "quiet", "aria-label": `Remove ${entry.email}` }, "Remove");
  remove.addEventListener("click", () => busy(remove, async () => {
    try {
      await api("DELETE", `/v1/me/emails/${encodeURIComponent(entry.email)}`);
      await ctx.refreshMe();
    } catch (problem) {
      showError(error, describe(problem, "Removing an address"));
    }
  }));
  return h("li", { class: "email" },
    h("div", { class: "email-head" },
      h("span", { class: "email-address", text: entry.email }),
      h("span", { class: `state ${entry.verified ? "verified" : "pending"}`,
                  text: entry.verified ? "Confirmed" : "Waiting for confirmation" }),
      remove),
    entry.verified ? null : h("p", { class: "hint", text: "We sent a link to this address. Open it to confirm the address is yours." }),
    pictureChoice(entry), error);
}

let shown = ""; // what the list shows now: redrawn only when it changes (keeps focus)

export function renderEmails(me) {
  const key = JSON.stringify([me.emails, currentPhotos().map((p) => [p.id, p.alt])]);
  if (key === shown && $("email-list").childElementCount === me.emails.length) return;
  shown = key;
  $("email-list").replaceChildren(...me.emails.map(item));
}

async function add(event) {
  event.preventDefault();
  const input = $("email-input");
  const email = input.value.trim();
  const error = $("email-error");
  if (!email) return showError(error, "Enter an email address.", input);
  await busy(event.target.querySelector("button"), async () => {
    try {
      await api("POST", "/v1/me/emails", { email });
      showError(error, "", input);
      input.value = "";
      await ctx.refreshMe();
    } catch (problem) {
      showError(error, describe(problem, "Adding an address"), input);
    }
  });
}

export function mountEmails(context) {
  ctx = context;
  $("email-form").addEventListener("submit", add);
}
