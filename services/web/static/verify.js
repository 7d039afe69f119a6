// The verification link opened in a browser (/v1/emails/verify?token=…): says which address
// and account it is about, then Confirm (signed in as that account) or Not me. Opening the
// link changes nothing; only these buttons do.
import { api, describe } from "./api.js";
import { mountAuth } from "./auth.js";
import { $, busy, formatDate, showError } from "./dom.js";

let ctx = null;
let claim = null;
let confirmAfterSignIn = false; // Confirm was pressed signed out: do it once signed in

export function isVerifyLink() {
  return location.pathname === "/v1/emails/verify";
}

const token = () => new URLSearchParams(location.search).get("token") || "";

function done(message) {
  $("verify-actions").hidden = true;
  $("verify-sign-in").replaceChildren();
  $("verify-done").textContent = message;
  $("verify-done").hidden = false;
}

async function confirm() {
  showError($("verify-error"), "");
  try {
    await api("POST", "/v1/emails/verify", { token: token() });
    done(`Confirmed: ${claim.email} now shows the pictures of ${claim.username}.`);
  } catch (problem) {
    if (problem.status === 401) {
      confirmAfterSignIn = true;
      showError($("verify-error"), `Sign in as ${claim.username} to confirm.`);
      mountAuth($("verify-sign-in"), { signedIn: ctx.enterApp, username: claim.username, allowSignUp: false });
      $("auth-password").focus();
    } else if (problem.status === 404 && problem.code !== "not_found") {
      showError($("verify-error"), `This address was added to the account ${claim.username}. Sign out, then sign in as ${claim.username} to confirm it.`);
    } else {
      showError($("verify-error"), describe(problem, "Confirming addresses"));
    }
  }
}

async function reject() {
  showError($("verify-error"), "");
  try {
    await api("POST", "/v1/emails/reject", { token: token() });
    done(`Thank you. ${claim.email} was taken off that account, and it cannot add the address again.`);
  } catch (problem) {
    showError($("verify-error"), describe(problem, "Turning down an address"));
  }
}

// Mount the verification view and show the claim the link is about.
export async function mountVerify(context) {
  ctx = context;
  const me = ctx.session.me;
  $("verify-confirm").addEventListener("click", (e) => busy(e.target, confirm));
  $("verify-reject").addEventListener("click", (e) => busy(e.target, reject));
  try {
    claim ??= await api("GET", `/v1/emails/verify?token=${encodeURIComponent(token())}`);
  } catch (problem) {
    $("verify-text").textContent = "";
    showError($("verify-error"), problem.status === 400
      ? "This link is not valid any more: it may have expired or been used. Add the address again to get a new one."
      : describe(problem, "Email verification"));
    return;
  }
  const expiry = claim.expires_at ? ` The link works until ${formatDate(claim.expires_at)}.` : "";
  $("verify-text").textContent = claim.username
    ? `Someone asked to show the pictures of the OnePic account ${claim.username} for ${claim.email}. ` +
      `If that was you, confirm it; if not, tell us.${expiry}`
    : `Is ${claim.email} your address? Confirm it, or tell us it is not yours.${expiry}`;
  $("verify-actions").hidden = false;
  if (me && claim.username && me.username !== claim.username) {
    showError($("verify-error"), `You are signed in as ${me.username}, but this address was added to ${claim.username}.`);
  } else if (me && confirmAfterSignIn) {
    confirmAfterSignIn = false;
    await confirm();
  }
}
