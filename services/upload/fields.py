"""Validation of the optional form fields sent with an upload, done before any byte is
stored so a refused request leaves nothing behind."""
from __future__ import annotations

from datetime import UTC, datetime

from shared.errors import ApiError
from shared.photos import MAX_ALT, RATINGS, parse_expiry

_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off", ""}


def parse_fields(form) -> dict:
    rating = (form.get("rating") or "g").strip().lower()
    if rating not in RATINGS:
        raise ApiError(422, "invalid_rating", "rating must be one of g, pg, r, x.")
    alt = form.get("alt") or ""
    if len(alt) > MAX_ALT:
        raise ApiError(422, "invalid_alt", f"alt must be at most {MAX_ALT} characters.")
    activate = (form.get("activate") or "false").strip().lower()
    if activate not in _TRUE | _FALSE:
        raise ApiError(422, "invalid_activate", "activate must be true or false.")
    when = parse_expiry(form.get("expires_in"), form.get("expires_at"), datetime.now(UTC),
                        form=isinstance(form.get("expires_in"), str))
    return {"rating": rating, "alt": alt, "activate": activate in _TRUE,
            "expires_at": when.isoformat() if when else None}
