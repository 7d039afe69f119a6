"""Upload tickets: issued, looked up by their owner, finished, and the expired ones listed
for the sweep (services/metadata/uploads/sweep.py)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .. import ids
from ..db.schema import upload_tickets


def staging_key(ticket_id: str) -> str:
    """Where the client's bytes wait: outside originals/ and variants/, so nothing serves or
    reprocesses them before admission."""
    return f"uploads/{ticket_id}"


def issue(conn: Connection, user_id: str, content_type: str, size: int, now: datetime,
          ttl: int) -> dict:
    ticket = {"id": "up_" + secrets.token_urlsafe(12), "user_id": user_id,
              "content_type": content_type, "bytes": size, "created_at": now,
              "expires_at": now + timedelta(seconds=ttl)}
    conn.execute(upload_tickets.insert().values(**ticket))
    return ticket


def find(conn: Connection, ticket_id: str, user_id: str) -> dict | None:
    row = conn.execute(sa.select(upload_tickets).where(
        upload_tickets.c.id == ticket_id, upload_tickets.c.user_id == user_id)).first()
    return dict(row._mapping) if row else None


def finish(conn: Connection, ticket_id: str) -> bool:
    return conn.execute(upload_tickets.delete().where(
        upload_tickets.c.id == ticket_id)).rowcount == 1


def expired(conn: Connection, now: datetime, limit: int = 100) -> list[str]:
    return list(conn.execute(sa.select(upload_tickets.c.id).where(
        upload_tickets.c.expires_at < now).order_by(upload_tickets.c.expires_at)
        .limit(limit)).scalars())


def ticket_json(ticket: dict) -> dict:
    """The shape of the internal API (shared/internal.py)."""
    return {"id": ticket["id"], "user_id": ticket["user_id"], "key": staging_key(ticket["id"]),
            "content_type": ticket["content_type"], "bytes": ticket["bytes"],
            "expires_at": ids.iso(ticket["expires_at"])}
