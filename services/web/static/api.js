// The page's only way to the API: same-origin fetch with the session cookie, the CSRF header
// on every state-changing request, and API errors turned into sentences a person can act on.

const CSRF_COOKIE = "onepic_csrf";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiProblem extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  // The API of this feature is not on this server yet (it answered 404/405 for the route).
  get missingFeature() {
    return this.status === 405 || (this.status === 404 && this.code === "not_found");
  }
}

export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export function headersFor(method) {
  const headers = { Accept: "application/json" };
  if (UNSAFE.has(method)) headers["X-CSRF-Token"] = csrfToken();
  return headers;
}

// Plain words for what went wrong, by status and code; the API's own sentence otherwise
// (it is written for people already).
const WORDS = {
  invalid_credentials: "That username and password do not match. Check both and try again.",
  username_taken: "That username is taken. Try another one.",
  payload_too_large: "This file is too large to upload.",
  unsupported_media_type: "This file is not a picture OnePic accepts. Use JPEG, PNG, WebP or GIF.",
  unsupported_format: "This file is not a picture OnePic accepts. Use JPEG, PNG, WebP or GIF.",
  csrf_failed: "Your session on this page is out of date. Reload the page and try again.",
  too_many_requests: "Too many attempts in a short time. Wait a moment and try again.",
  rate_limited: "Too many attempts in a short time. Wait a moment and try again.",
};

export function plainWords(status, code, message) {
  if (WORDS[code]) return WORDS[code];
  if (status === 413) return WORDS.payload_too_large;
  if (status === 415) return WORDS.unsupported_media_type;
  if (status === 429) return WORDS.too_many_requests;
  if (status === 503) return "OnePic is briefly unavailable. Please try again in a few seconds.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return message || `The request failed (HTTP ${status}).`;
}

export async function problemFrom(response) {
  let code = "", message = "";
  try {
    const body = await response.json();
    code = body?.error?.code || "";
    message = body?.error?.message || "";
  } catch {
    /* not JSON: the status says enough */
  }
  return new ApiProblem(response.status, code, plainWords(response.status, code, message));
}

export async function api(method, path, body) {
  const init = { method, headers: headersFor(method), credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiProblem(0, "network", "OnePic could not be reached. Check your connection and try again.");
  }
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response;
}

// What to say when a feature's API is missing on this server, else the problem's own words.
export function describe(problem, feature) {
  if (problem instanceof ApiProblem && problem.missingFeature) {
    return `${feature} is not available on this OnePic server yet.`;
  }
  return problem.message || String(problem);
}
