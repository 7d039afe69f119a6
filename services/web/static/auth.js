// The sign-in / sign-up form (one form, two modes, so the page never has two "Username"
// fields at once). Mounted into the signed-out view, and into the verification page when
// Confirm needs the claimant signed in.
import { api, describe } from "./api.js";
import { $, busy, clearErrors, showError } from "./dom.js";

// Which field an API error belongs to, by its code.
function fieldFor(code) {
  for (const name of ["username", "password", "email"]) if (code.includes(name)) return name;
  return null;
}

function setMode(form, mode) {
  form.dataset.mode = mode;
  clearErrors(form);
  $("auth-title").textContent = mode === "sign-up" ? "Create your account" : "Sign in";
  $("auth-password").autocomplete = mode === "sign-up" ? "new-password" : "current-password";
  $("auth-username").focus();
}

async function submit(form, signedIn) {
  clearErrors(form);
  const signingUp = form.dataset.mode === "sign-up";
  const username = $("auth-username").value.trim();
  const password = $("auth-password").value;
  if (!username) return showError($("auth-username-error"), "Enter a username.", $("auth-username"));
  if (!password) return showError($("auth-password-error"), "Enter a password.", $("auth-password"));
  if (signingUp && password.length < 8) {
    return showError($("auth-password-error"), "The password needs at least 8 characters.", $("auth-password"));
  }
  const button = form.querySelector(signingUp ? ".sign-up-only[type=submit]" : ".sign-in-only[type=submit]");
  await busy(button, async () => {
    try {
      if (signingUp) {
        const body = { username, password, session: true };
        const email = $("auth-email").value.trim();
        if (email) body.email = email;
        await api("POST", "/v1/users", body);
      } else {
        await api("POST", "/v1/session", { username, password });
      }
    } catch (problem) {
      const field = signingUp ? fieldFor(problem.code || "") : null;
      if (field) showError($(`auth-${field}-error`), problem.message, $(`auth-${field}`));
      else showError($("auth-error"), describe(problem, signingUp ? "Signing up" : "Signing in"));
      if (!signingUp) $("auth-password").select();
      return;
    }
    await signedIn({ signedUp: signingUp });
  });
}

// Put the form into `slot`; `signedIn` runs once the session cookie is set.
export function mountAuth(slot, { signedIn, mode = "sign-in", username = "", allowSignUp = true }) {
  slot.replaceChildren($("tpl-auth").content.cloneNode(true));
  const form = $("auth-form");
  form.dataset.mode = mode;
  $("auth-username").value = username;
  if (!allowSignUp) for (const el of form.querySelectorAll(".switch")) el.remove();
  else {
    $("show-sign-up").addEventListener("click", () => setMode(form, "sign-up"));
    $("show-sign-in").addEventListener("click", () => setMode(form, "sign-in"));
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, signedIn);
  });
  return form;
}
