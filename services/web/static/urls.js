// "Your URL": the avatar link with Copy, the <img> snippet, previews at a few sizes and the
// email-hash URL of each confirmed address.
import { $, h } from "./dom.js";

const PREVIEW_SIZES = [32, 64, 128];
let current = "";

export function originOf(me) {
  return me.avatar_url.slice(0, me.avatar_url.length - me.username.length - 1);
}

export function renderUrls(me) {
  current = me.avatar_url;
  const link = $("avatar-url");
  link.href = me.avatar_url;
  link.textContent = me.avatar_url;
  $("img-snippet").value = `<img src="${me.avatar_url}?s=80" width="80" height="80" alt="${me.username}">`;
  // `v` changes with the active picture, so the previews do not come from the browser's
  // cache of the avatar URL (it may keep an avatar for a few minutes, as any site would).
  const version = me.active_photo_id || "none";
  $("previews").replaceChildren(...PREVIEW_SIZES.map((size) => h("li", {},
    h("img", { src: `${me.avatar_url}?s=${size * 2}&d=mp&v=${version}`, width: size, height: size,
               alt: `Your picture at ${size} pixels`, class: "preview" }),
    h("span", { class: "hint", text: `${size} px` }))));
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
