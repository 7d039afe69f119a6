"""Rules for what clients send: usernames, passwords, emails, ratings, alt text.

Each check raises ApiError (422 unless said otherwise) with a sentence the client can show."""
from __future__ import annotations

import re

from flask import request

from shared.errors import ApiError
from shared.photos import MAX_ALT, RATINGS

USERNAME_RE = re.compile(r"[a-z0-9_-]{3,32}")
# Names that would shadow a public route (/<username> shares the root with everything else),
# or that would confuse people. The one list: render and the router need nothing else.
RESERVED_USERNAMES = frozenset({
    "v1", "v2", "avatar", "avatars", "i", "healthz", "readyz", "metrics", "static", "internal",
    "api", "admin", "administrator", "root", "favicon.ico", "robots.txt", "sitemap.xml",
    "login", "logout", "signup", "register", "settings", "account", "me", "help", "support",
    "about", "docs", "openapi.json", "www", "onepic", "null", "undefined", "web",
})
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing is deliberately slow; bound the work an attacker can ask for
MAX_EMAIL = 254
# One plain address: RFC 5322's dot-atom local part and a dotted host name. No quoting, no
# comments, no display names, no lists: "victim@x.example,root" would reach a mail server
# as two recipients, and a quoted local part can hide one.
EMAIL_RE = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                      r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z][a-z0-9-]*")


def json_body() -> dict:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # 60 KB of "[" nests deeper than the parser's stack
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "The request body must be a JSON object.")
    return body


def username(value) -> str:
    if not isinstance(value, str):
        raise ApiError(422, "invalid_username", "username is required and must be a string.")
    name = value.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise ApiError(422, "invalid_username",
                       "username must be 3–32 characters of a-z, 0-9, _ and -.")
    if name in RESERVED_USERNAMES:
        raise ApiError(422, "reserved_username", f"The username {name!r} is reserved.")
    return name


def password(value) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise ApiError(422, "invalid_password",
                       f"password must be a string of at least {MIN_PASSWORD} characters.")
    if len(value) > MAX_PASSWORD:
        raise ApiError(422, "invalid_password",
                       f"password must be at most {MAX_PASSWORD} characters.")
    return value


def email(value) -> str:
    """The normalised address: trimmed and lower-cased (what Gravatar hashes)."""
    if not isinstance(value, str):
        raise ApiError(422, "invalid_email", "email must be a string.")
    address = value.strip().lower()
    if len(address) > MAX_EMAIL or not EMAIL_RE.fullmatch(address):
        raise ApiError(422, "invalid_email", "email must be an address like name@example.com.")
    return address


def rating(value) -> str:
    if value not in RATINGS:
        raise ApiError(422, "invalid_rating", "rating must be one of g, pg, r, x.")
    return value


def alt(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_ALT:
        raise ApiError(422, "invalid_alt", f"alt must be a string of at most {MAX_ALT} characters.")
    return value
