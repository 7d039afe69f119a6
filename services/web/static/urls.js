// "Your URL": the avatar link with Copy, the <img> snippet, previews at a few sizes and the
// email-hash URL of each confirmed address.
import { $, h } from "./dom.js";

const PREVIEW_SIZES = [32, 64, 128];
// The origin serves a new active picture within a second (API.md); a preview asked for
// sooner may still get the old one, so after a change the previews are asked again then.
const SETTLE_MS = 1500;
let current = "";
let shownActive;
let settle = null;

export function originOf(me) {
  return me.avatar_url.slice(0, me.avatar_url.length - me.username.length - 1);
}

export function renderUrls(me) {
  current = me.avatar_url;
  const link = $("avatar-url");
  link.href = me.avatar_url;
  link.textContent = me.avatar_url;
  $("img-snippet").value = `<img src="${me.avatar_url}?s=80" width="80" height="80" alt="${me.username}">`;
  // A query the browser has not cached (it may keep an avatar for minutes, as any site
  // would): `v` names the active picture, `t` the moment it was asked for.
  const draw = () => {
    const query = `d=mp&v=${me.active_photo_id || "none"}&t=${Date.now()}`;
    const list = $("previews");
    if (!list) return;
    if (list.childElementCount !== PREVIEW_SIZES.length) {
      list.replaceChildren(...PREVIEW_SIZES.map((size) => h("li", {},
        h("img", { width: size, height: size, alt: `Your picture at ${size} pixels`, class: "preview",
                   "data-size": size }),
        h("span", { class: "hint", text: `${size} px` }))));
    }
    // The same elements, a new source: nothing moves while the new picture loads.
    for (const img of list.querySelectorAll("img")) img.src = `${me.avatar_url}?s=${img.dataset.size * 2}&${query}`;
  };
  if (shownActive !== me.active_photo_id || !$("previews").childElementCount) {
    const changed = shownActive !== undefined;
    shownActive = me.active_photo_id;
    draw();
    clearTimeout(settle);
    if (changed) settle = setTimeout(draw, SETTLE_MS);
  }
  const origin = originOf(me);
  const verified = me.emails.filter((e) => e.verified);
  $("hash-urls").replaceChildren(...(verified.length ? [
    h("h3", { text: "By email address" }),
    h("p", { text: "Sites that look pictures up by email use these; each shows the picture chosen for that address." }),
    h("ul", { class: "hash-list" }, verified.map((e) => h("li", {},
      h("span", { class: "hash-email", text: e.email }),
      h("a", { class: "url", href: `${origin}/avatar/${e.md5}`, text: `${origin}/avatar/${e.md5}` })))),
  ] : []));
}

async function copy() {
  const status = $("copy-status");
  try {
    await navigator.clipboard.writeText(current);
    status.textContent = "Copied your URL to the clipboard.";
  } catch {
    // No clipboard permission (an insecure origin, an old browser): select it for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents($("avatar-url"));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    status.textContent = "Press Ctrl+C (⌘C) to copy the selected URL.";
  }
}

export function mountUrls() {
  $("copy-url").addEventListener("click", copy);
  $("img-snippet").addEventListener("focus", (e) => e.target.select());
}
