"""Users and their API tokens (their email addresses are in emails/store.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.errors import ApiError

from .. import db, ids
from ..db.schema import api_tokens, photos, users
from ..emails.tokens import MAX_TOKEN_LENGTH, aware
from ..photos import store as photo_store
from ..relay import readmodel_changes as changes
from . import passwords

# How stale `last_used_at` may be: exact to the second would cost a write per request.
LAST_USED_EVERY = timedelta(minutes=5)


def create_user(conn: Connection, username: str, password_hash: str, now: datetime,
                token_ttl: int) -> dict:
    """Insert the user; the caller's transaction commits.

    The password is hashed by the caller, before the transaction: the KDF is slow on purpose
    and must not hold a write lock. Returns the user row as a dict plus a fresh API token."""
    user = {"id": ids.user_id(), "username": username,
            "password_hash": password_hash, "active_photo_id": None,
            "created_at": now}
    # A savepoint, so a lost race on the username is a clean 409 inside the caller's
    # transaction rather than a poisoned one.
    try:
        with conn.begin_nested():
            conn.execute(users.insert().values(**user))
    except IntegrityError:
        raise ApiError(409, "username_taken", f"The username {username!r} is taken.") from None
    changes.user_changed(conn, user["id"])  # over a negative entry cached for the name
    return {**user, "token": issue_token(conn, user["id"], now, token_ttl)}


def issue_token(conn: Connection, user_id: str, now: datetime, ttl: int) -> dict:
    """A new API token: {"id", "token", "expires_at"}; only its hash is stored."""
    token = ids.api_token()
    row = {"id": ids.token_id(), "token_sha256": ids.token_hash(token), "user_id": user_id,
           "created_at": now, "expires_at": now + timedelta(seconds=ttl)}
    conn.execute(api_tokens.insert().values(**row))
    return {"id": row["id"], "token": token, "expires_at": row["expires_at"]}


def check_credentials(conn: Connection, username: str, password: str) -> dict | None:
    """The user for a username and password, or None.

    A hash made with weaker parameters than today's is replaced on a successful sign-in (the
    only moment the password is at hand); the caller's transaction commits it."""
    row = conn.execute(sa.select(users.c.id, users.c.username, users.c.password_hash)
                       .where(users.c.username == username)).first()
    if not passwords.verify_password(row.password_hash if row else None, password):
        return None
    if passwords.needs_rehash(row.password_hash):
        set_password_hash(conn, row.id, passwords.hash_password(password))
    return {"id": row.id, "username": row.username}


def set_password_hash(conn: Connection, user_id: str, password_hash: str) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(password_hash=password_hash))


def password_hash(conn: Connection, user_id: str) -> str | None:
    return conn.execute(sa.select(users.c.password_hash).where(users.c.id == user_id)).scalar()


# Built once: every authenticated request runs it (services/metadata/db.prebuilt says why).
_USER_FOR_TOKEN = (
    sa.select(users.c.id, users.c.username, users.c.active_photo_id,
              api_tokens.c.id.label("token_id"), api_tokens.c.expires_at,
              api_tokens.c.last_used_at)
    .select_from(api_tokens.join(users, api_tokens.c.user_id == users.c.id))
    .where(api_tokens.c.token_sha256 == sa.bindparam("token_sha256")))


def user_for_token(conn: Connection, token: str, now: datetime) -> dict | None:
    """The one lookup of a bearer token (API, /internal/auth, the web UI's session cookie):
    the user ({"id", "username", "active_photo_id", "token_id"}) of a live token, or None
    for an unknown, revoked or expired one.

    `last_used_at` is written at most every LAST_USED_EVERY, not on every request."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = conn.execute(_USER_FOR_TOKEN, {"token_sha256": ids.token_hash(token)}).first()
    if row is None or aware(row.expires_at) <= now:
        return None
    if row.last_used_at is None or now - aware(row.last_used_at) >= LAST_USED_EVERY:
        # Called before a request's own write (never inside one), like every auth check.
        with db.write(conn):
            conn.execute(api_tokens.update().where(api_tokens.c.id == row.token_id)
                         .values(last_used_at=now))
    return {"id": row.id, "username": row.username, "active_photo_id": row.active_photo_id,
            "token_id": row.token_id}


def list_tokens(conn: Connection, user_id: str, now: datetime) -> list[dict]:
    """The account's live tokens, newest first (never the secret)."""
    rows = conn.execute(sa.select(api_tokens.c.id, api_tokens.c.created_at,
                                  api_tokens.c.last_used_at, api_tokens.c.expires_at)
                        .where(api_tokens.c.user_id == user_id, api_tokens.c.expires_at > now)
                        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id))
    return [dict(r._mapping) for r in rows]


def revoke_token(conn: Connection, user_id: str, token_id: str) -> bool:
    """Delete one of the user's tokens; False when the user has none with that id."""
    return conn.execute(api_tokens.delete().where(api_tokens.c.user_id == user_id,
                                                  api_tokens.c.id == token_id)).rowcount > 0


def revoke_other_tokens(conn: Connection, user_id: str, keep_id: str | None,
                        now: datetime) -> None:
    """Every token of the user but `keep_id` stops working (and expired ones are purged)."""
    cond = [api_tokens.c.user_id == user_id]
    if keep_id is not None:
        cond.append(api_tokens.c.id != keep_id)
    conn.execute(api_tokens.delete().where(*cond))


def delete_user(conn: Connection, user_id: str) -> None:
    """Delete the user: each photo through the same store function as DELETE
    /v1/photos/<id>, then the row (tokens, addresses and the rest follow by ON DELETE
    CASCADE), its read-model entries recorded while the rows still name them."""
    for photo_id in conn.execute(sa.select(photos.c.id).where(photos.c.user_id == user_id)
                                 .order_by(photos.c.seq)).scalars().all():
        photo_store.delete_photo(conn, user_id, photo_id)
    changes.user_changed(conn, user_id)
    conn.execute(users.delete().where(users.c.id == user_id))


_USER_BY_ID = sa.select(users.c.id, users.c.username, users.c.active_photo_id).where(
    users.c.id == sa.bindparam("user_id"))


def user_by_id(conn: Connection, user_id: str) -> dict | None:
    row = conn.execute(_USER_BY_ID, {"user_id": user_id}).first()
    return None if row is None else dict(row._mapping)
