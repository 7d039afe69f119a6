"""Users and their API tokens (their email addresses are in emails/store.py)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.errors import ApiError

from .. import ids
from ..db.schema import api_tokens, users
from . import passwords


def create_user(conn: Connection, username: str, password_hash: str) -> dict:
    """Insert the user; the caller's transaction commits.

    The password is hashed by the caller, before the transaction: the KDF is slow on purpose
    and must not hold a write lock. Returns the user row as a dict plus a fresh API token."""
    user = {"id": ids.user_id(), "username": username,
            "password_hash": password_hash, "active_photo_id": None,
            "created_at": ids.now()}
    # A savepoint, so a lost race on the username is a clean 409 inside the caller's
    # transaction rather than a poisoned one.
    try:
        with conn.begin_nested():
            conn.execute(users.insert().values(**user))
    except IntegrityError:
        raise ApiError(409, "username_taken", f"The username {username!r} is taken.") from None
    return {**user, "token": issue_token(conn, user["id"])}


def issue_token(conn: Connection, user_id: str) -> str:
    token = ids.api_token()
    conn.execute(api_tokens.insert().values(
        token_sha256=ids.token_hash(token), user_id=user_id, created_at=ids.now()))
    return token


def check_credentials(conn: Connection, username: str, password: str) -> dict | None:
    """The user for a username and password, or None."""
    row = conn.execute(sa.select(users.c.id, users.c.username, users.c.password_hash)
                       .where(users.c.username == username)).first()
    if not passwords.verify_password(row.password_hash if row else None, password):
        return None
    return {"id": row.id, "username": row.username}


def user_for_token(conn: Connection, token: str) -> dict | None:
    row = conn.execute(
        sa.select(users.c.id, users.c.username, users.c.active_photo_id)
        .select_from(api_tokens.join(users, api_tokens.c.user_id == users.c.id))
        .where(api_tokens.c.token_sha256 == ids.token_hash(token))).first()
    return None if row is None else dict(row._mapping)


def user_by_id(conn: Connection, user_id: str) -> dict | None:
    row = conn.execute(sa.select(users.c.id, users.c.username, users.c.active_photo_id)
                       .where(users.c.id == user_id)).first()
    return None if row is None else dict(row._mapping)
