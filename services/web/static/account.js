// Account: change the password, end every session, download one's data, delete the account.
// The forms that ask for the password again open in a dialog, cloned when they open.
import { api, describe } from "./api.js";
import { $, busy, clearErrors, showError } from "./dom.js";

let ctx = null;

// Open the form of template `id` in the form dialog; `submit(form)` returns true when done.
function openForm(id, submit) {
  const dialog = $("form-dialog");
  dialog.replaceChildren($(id).content.cloneNode(true));
  const form = dialog.querySelector("form");
  const opener = document.activeElement;
  form.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(form.querySelector("[type=submit]"), async () => {
      if (await submit(form)) dialog.close();
    });
  });
  dialog.addEventListener("close", () => {
    dialog.replaceChildren();
    if (opener?.isConnected) opener.focus();
  }, { once: true });
  dialog.showModal();
  form.querySelector("input").focus();
}

function changePassword() {
  $("password-ok").hidden = true;
  openForm("tpl-password-form", async () => {
    const password = $("current-password").value;
    const next = $("new-password").value;
    if (next.length < 8) {
      showError($("new-password-error"), "The new password needs at least 8 characters.", $("new-password"));
      return false;
    }
    try {
      await api("PUT", "/v1/me/password", { password, new_password: next });
    } catch (problem) {
      if (problem.status === 403 && problem.code !== "csrf_failed") {
        showError($("current-password-error"), "The current password is not right.", $("current-password"));
      } else {
        showError($("password-error"), describe(problem, "Changing the password"));
      }
      return false;
    }
    $("password-ok").textContent = "Password changed. Every other session was signed out.";
    $("password-ok").hidden = false;
    return true;
  });
}

async function signOutEverywhere(event) {
  await busy(event.target, async () => {
    try {
      const { tokens } = await api("GET", "/v1/tokens");
      for (const t of tokens.filter((t) => !t.current)) await api("DELETE", `/v1/tokens/${t.id}`);
      await api("DELETE", "/v1/session");
      ctx.signedOut("You are signed out on every device.");
    } catch (problem) {
      showError($("sessions-error"), describe(problem, "Signing out everywhere"));
    }
  });
}

async function exportData(event) {
  await busy(event.target, async () => {
    try {
      const response = await api("GET", "/v1/me/export");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(await response.blob());
      link.download = `onepic-${ctx.session.me.username}.zip`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      showError($("export-error"), "");
    } catch (problem) {
      showError($("export-error"), describe(problem, "Downloading your data"));
    }
  });
}

function deleteAccount() {
  openForm("tpl-delete-account-form", async () => {
    const input = $("delete-account-password");
    if (!input.value) {
      showError($("delete-account-error"), "Enter your password to delete the account.", input);
      return false;
    }
    try {
      await api("DELETE", "/v1/me", { password: input.value });
    } catch (problem) {
      const wrong = (problem.status === 403 || problem.status === 401) && problem.code !== "csrf_failed";
      showError($("delete-account-error"), wrong ? "That password is not right." : describe(problem, "Deleting the account"), input);
      return false;
    }
    ctx.signedOut("Your account was deleted.");
    return true;
  });
}

export function mountAccount(context) {
  ctx = context;
  $("change-password").addEventListener("click", changePassword);
  $("sign-out-everywhere").addEventListener("click", signOutEverywhere);
  $("export").addEventListener("click", exportData);
  $("delete-account").addEventListener("click", deleteAccount);
}
