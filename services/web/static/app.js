// The page's entry point: which view shows (signed out, signed in, the verification link)
// and sign-out. Each view is cloned from its <template>; the modules mount their section.
import { api, describe } from "./api.js";
import { $ } from "./dom.js";
import { mountAccount } from "./account.js";
import { mountAuth } from "./auth.js";
import { mountEmails, renderEmails } from "./emails.js";
import { loadGallery, mountGallery, onPhotosChanged } from "./gallery.js";
import { mountUpload } from "./upload.js";
import { mountUrls, renderUrls } from "./urls.js";
import { isVerifyLink, mountVerify } from "./verify.js";

const session = { me: null };

function mountView(name) {
  $("view").replaceChildren($(`tpl-${name}`).content.cloneNode(true));
  $("whoami").hidden = !session.me;
  if (session.me) $("whoami-name").textContent = session.me.username;
}

// A sentence at the top of the page (signed out, account deleted, a failure with no field).
function announce(message, kind = "info") {
  const el = $("page-status");
  el.textContent = message || "";
  el.className = `banner ${kind}`;
  el.hidden = !message;
}

async function refreshMe() {
  session.me = await api("GET", "/v1/me");
  if ($("avatar-url")) renderUrls(session.me);
  if ($("email-list")) renderEmails(session.me);
  return session.me;
}

const ctx = {
  session, refreshMe, announce, signedOut, enterApp: () => enterApp(),
  photosRendered: () => session.me && $("email-list") && renderEmails(session.me),
};

async function enterApp({ signedUp = false } = {}) {
  session.me = await api("GET", "/v1/me");
  announce("");
  if (isVerifyLink()) {
    mountView("verify");
    return mountVerify(ctx);
  }
  mountView("signed-in");
  mountUrls();
  mountUpload(onPhotosChanged);
  mountGallery(ctx);
  mountEmails(ctx);
  mountAccount(ctx);
  renderUrls(session.me);
  renderEmails(session.me);
  await loadGallery();
  if (signedUp) $("upload-title").scrollIntoView({ block: "start" });
}

function signedOut(message = "") {
  session.me = null;
  if (isVerifyLink()) {
    mountView("verify");
    mountVerify(ctx);
  } else {
    mountView("signed-out");
    mountAuth($("auth-slot"), { signedIn: enterApp });
  }
  announce(message);
}

async function signOut() {
  try {
    await api("DELETE", "/v1/session");
  } catch (problem) {
    if (problem.status !== 401) return announce(describe(problem, "Signing out"), "error");
  }
  signedOut("You are signed out.");
}

async function boot() {
  $("sign-out").addEventListener("click", signOut);
  try {
    await enterApp();
  } catch (problem) {
    if (problem.status === 401) signedOut();
    else { signedOut(); announce(describe(problem, "OnePic"), "error"); }
  }
}

boot();
