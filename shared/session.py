"""The web page's session: an API token carried in an HttpOnly cookie instead of an
`Authorization` header, with CSRF protection for every state-changing request.

The session *is* an API token (same table, expiry, listing and revocation as any other), so
signing out is revoking it and a password change ends it like any other token. Metadata and
upload both authenticate through `request_token`, so a cookie works for uploads too.

CSRF, double-submit bound to the session: a request authenticated by the cookie and not
GET/HEAD/OPTIONS must send `X-CSRF-Token` equal to `csrf_for(session token)`. The page reads
that value from the readable `onepic_csrf` cookie the server sets beside the session; another
site can neither read it nor compute it (the session token is HttpOnly and 256 bits), and
sending a custom header cross-origin needs a CORS preflight we never grant. Before there is
a session (sign-in, sign-up) the header must equal the `onepic_csrf` cookie the page set,
so a foreign page cannot sign a visitor into an account of its choosing (login CSRF).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from .errors import ApiError
from .web import bearer_token

SESSION_COOKIE = "onepic_session"
CSRF_COOKIE = "onepic_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_for(session_token: str) -> str:
    """The CSRF token of a session: derived, so the server keeps no state for it."""
    return hashlib.sha256(b"onepic-csrf\0" + session_token.encode()).hexdigest()


def new_csrf() -> str:
    """A CSRF cookie for a visitor without a session (the sign-in form's)."""
    return secrets.token_urlsafe(32)


def _same(sent: str, expected: str) -> bool:
    return bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


def request_token(req) -> str | None:
    """The API token of a request: the Bearer header, else the session cookie (after the
    CSRF check for a state-changing method); None when it carries neither."""
    token = bearer_token(req)
    if token:
        return token
    token = req.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    if req.method not in SAFE_METHODS and not _same(req.headers.get(CSRF_HEADER, ""),
                                                    csrf_for(token)):
        raise ApiError(403, "csrf_failed", "This request did not come from the OnePic page "
                       "(the X-CSRF-Token header is missing or wrong); reload the page.")
    return token


def check_login_csrf(req) -> None:
    """Before a session exists: the header must repeat the page's CSRF cookie."""
    cookie = req.cookies.get(CSRF_COOKIE, "")
    if not _same(req.headers.get(CSRF_HEADER, ""), cookie):
        raise ApiError(403, "csrf_failed", "Signing in works from the OnePic page only (the "
                       "X-CSRF-Token header must repeat the onepic_csrf cookie); reload it.")


def cookie_options(public_url: str) -> dict:
    """Attributes of both cookies: site-wide, Lax, Secure when the site is served over https."""
    return {"path": "/", "samesite": "Lax", "secure": public_url.startswith("https://")}


def set_session(resp, token: str, public_url: str, max_age: int | None = None) -> None:
    opts = cookie_options(public_url)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, max_age=max_age, **opts)
    resp.set_cookie(CSRF_COOKIE, csrf_for(token), httponly=False, max_age=max_age, **opts)


def clear_session(resp, public_url: str) -> None:
    opts = cookie_options(public_url)
    resp.delete_cookie(SESSION_COOKIE, httponly=True, **opts)
    resp.set_cookie(CSRF_COOKIE, new_csrf(), httponly=False, **opts)
