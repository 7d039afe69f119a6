"""Random identifiers and timestamps, in one place so their shapes stay consistent."""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime


def user_id() -> str:
    return "u_" + secrets.token_urlsafe(12)


def email_id() -> str:
    return "e_" + secrets.token_urlsafe(12)


def photo_id() -> str:
    # 64 random bits, 11 URL-safe characters: short enough for a link, not guessable.
    return secrets.token_urlsafe(8)


def token_id() -> str:
    """The public name of an API token (GET/DELETE /v1/tokens), unrelated to its secret."""
    return "t_" + secrets.token_urlsafe(12)


def api_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """How a bearer or emailed token is stored: its SHA-256 hex, never the token itself. The
    tokens are 256 random bits, so a fast hash is enough (no KDF as for passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime) -> str:
    """ISO 8601 UTC with a Z; SQLite hands back naive datetimes, which are UTC here."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
