"""Rules about a photo that more than one service enforces (upload checks the form fields
before storing anything; metadata checks the internal API and PATCH /v1/photos): ratings,
alt text, and lifetimes (expires_in / expires_at)."""
from __future__ import annotations

from datetime import UTC

# Content ratings, in order: each allows everything before it (Gravatar's r= parameter).
RATINGS = ("g", "pg", "r", "x")
# Longest alt text, in characters.
MAX_ALT = 1000
# Longest photo lifetime one may ask for (100 years): beyond it a number is a mistake.
MAX_EXPIRES_IN = 100 * 365 * 86400


def whole_number(value):
    """`value` as an int if JSON gave a whole number (1 or 1.0: JSON Schema's "integer" means
    both), else None (bools, strings, 1.5)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_expiry(expires_in, expires_at, now, *, form: bool = False):
    """The absolute expiry (an aware datetime) from `expires_in` (seconds from `now`: an int,
    or its digits in a `form`) or `expires_at` (RFC 3339), or None when neither is given;
    422 for both, for a malformed value or a time not in the future."""
    from datetime import datetime, timedelta

    from shared.web import ApiError

    def bad(message: str) -> ApiError:
        return ApiError(422, "invalid_expiry", message)

    if expires_in in (None, "") and expires_at in (None, ""):
        return None
    if expires_in not in (None, "") and expires_at not in (None, ""):
        raise bad("Send expires_in or expires_at, not both.")
    if expires_in not in (None, ""):
        if form and isinstance(expires_in, str) and expires_in.strip().isdigit():
            expires_in = int(expires_in)
        expires_in = whole_number(expires_in)
        if expires_in is None or not 1 <= expires_in <= MAX_EXPIRES_IN:
            raise bad(f"expires_in must be a number of seconds from 1 to {MAX_EXPIRES_IN}.")
        return now + timedelta(seconds=expires_in)
    if not isinstance(expires_at, str):
        raise bad("expires_at must be an RFC 3339 time, like 2030-01-01T00:00:00Z.")
    try:
        when = datetime.fromisoformat(expires_at.strip().replace("z", "Z"))
    except ValueError:
        raise bad("expires_at must be an RFC 3339 time, like 2030-01-01T00:00:00Z.") from None
    if when.tzinfo is None:
        raise bad("expires_at needs a time zone (Z or ±hh:mm).")
    when = when.astimezone(UTC)
    if when <= now:
        raise bad("expires_at must be in the future.")
    if when > now + timedelta(seconds=MAX_EXPIRES_IN):
        raise bad("expires_at is too far in the future.")
    return when


def capped(expires_at, lifetime: int, created_at):
    """`expires_at` no later than `lifetime` seconds after `created_at` (0: no cap)."""
    from datetime import timedelta

    if not lifetime:
        return expires_at
    ceiling = created_at + timedelta(seconds=lifetime)
    return ceiling if expires_at is None or expires_at > ceiling else expires_at
