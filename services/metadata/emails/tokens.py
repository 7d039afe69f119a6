"""Tokens sent by mail (the verification link): random, stored only as their SHA-256, good
for one purpose, expiring, and used once.

"Used once" means the action happens once: the token that verified an address stays on
record as used so a second click on the same link answers the same success (mail clients
and link scanners open links twice) without doing anything again."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..db.schema import email_tokens
from ..ids import token_hash

VERIFY = "verify"
MAX_TOKEN_LENGTH = 200  # ours are 43 characters; anything much longer is not one of ours


def aware(ts: datetime) -> datetime:
    """SQLite hands back naive datetimes, which are UTC here."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def issue(conn: Connection, email_id: str, purpose: str, now: datetime, ttl: int) -> str:
    """A new token for this address claim; the caller's transaction commits it.

    Expired unused tokens of the claim are purged here, so resends cannot pile rows up."""
    conn.execute(email_tokens.delete().where(email_tokens.c.email_id == email_id,
                                             email_tokens.c.used_at.is_(None),
                                             email_tokens.c.expires_at <= now))
    token = secrets.token_urlsafe(32)
    conn.execute(email_tokens.insert().values(
        token_sha256=token_hash(token), email_id=email_id, purpose=purpose,
        created_at=now, expires_at=now + timedelta(seconds=ttl), used_at=None))
    return token


def find(conn: Connection, token: str, purpose: str) -> dict | None:
    """The token's row ({token_sha256, email_id, expires_at, used_at}) if it exists for
    this purpose, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = conn.execute(sa.select(email_tokens.c.token_sha256, email_tokens.c.email_id,
                                 email_tokens.c.expires_at, email_tokens.c.used_at)
                       .where(email_tokens.c.token_sha256 == token_hash(token),
                              email_tokens.c.purpose == purpose)).first()
    return None if row is None else dict(row._mapping)


def consume(conn: Connection, token_sha256: str, email_id: str, now: datetime) -> None:
    """Mark this token used and drop every other token of the claim: the action is done."""
    conn.execute(email_tokens.update().where(email_tokens.c.token_sha256 == token_sha256)
                 .values(used_at=now))
    conn.execute(email_tokens.delete().where(email_tokens.c.email_id == email_id,
                                             email_tokens.c.token_sha256 != token_sha256))


def discard(conn: Connection, token: str) -> None:
    """Forget a token that never reached its recipient (the mail could not be sent)."""
    conn.execute(email_tokens.delete().where(email_tokens.c.token_sha256 == token_hash(token)))


def last_sent_for(conn: Connection, email_id: str) -> datetime | None:
    """When a token was last issued for this claim (one account's claim of one address)."""
    ts = conn.execute(sa.select(sa.func.max(email_tokens.c.created_at))
                      .where(email_tokens.c.email_id == email_id)).scalar()
    if isinstance(ts, str):  # SQLite's max() returns the stored text, not a datetime
        ts = datetime.fromisoformat(ts)
    return None if ts is None else aware(ts)
