"""Email addresses of accounts: claims, their verification, the per-address photo.

Rules (DESIGN.md guarantee 6 and API.md):
- An address is normalised (trimmed, lower-cased) before it is stored or hashed.
- Several accounts may claim an address, but only one may have it verified (a partial
  unique index backs this up), and only a verified address resolves by its hash.
- Claiming an address another account has verified is a 409.
- When one account verifies an address, the other accounts' unverified claims of it are
  deleted with their tokens: those links were mailed to the person who has just proved the
  address is theirs, and a later click must not hand it to another account.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from shared.errors import ApiError

from .. import db, ids
from ..db.schema import email_bars, emails, users
from ..photos import store as photos
from ..relay import readmodel_changes as changes
from . import tokens as email_tokens

# Each claim can send mail; a bound keeps one account from mailing the world.
MAX_PER_ACCOUNT = 20


def digests(address: str) -> tuple[str, str]:
    """(md5, sha256) hex of a normalised address: the two names it has on /avatar/<hash>."""
    data = address.encode()
    return hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()


def email_json(row: dict) -> dict:
    """An address as the API shows it (GET /v1/me, POST/PUT /v1/me/emails, verify)."""
    return {"email": row["email"], "verified": row["verified_at"] is not None,
            "md5": row["md5"], "sha256": row["sha256"], "photo_id": row["photo_id"]}


def list_for(conn: Connection, user_id: str) -> list[dict]:
    rows = conn.execute(sa.select(emails).where(emails.c.user_id == user_id)
                        .order_by(emails.c.created_at, emails.c.id))
    return [email_json(r._mapping) for r in rows]


def own(conn: Connection, user_id: str, address: str) -> dict | None:
    """The user's claim of `address` (normalised here, as it came from a URL), or None."""
    row = conn.execute(sa.select(emails).where(
        emails.c.user_id == user_id, emails.c.email == address.strip().lower())).first()
    return None if row is None else dict(row._mapping)


def own_or_404(conn: Connection, user_id: str, address: str) -> dict:
    row = own(conn, user_id, address)
    if row is None:
        raise ApiError(404, "email_not_found", "You have no such email address.")
    return row


def _verified_owner(conn: Connection, address: str) -> str | None:
    return conn.execute(sa.select(emails.c.user_id).where(
        emails.c.email == address, emails.c.verified_at.isnot(None))).scalar()


def claim(conn: Connection, user_id: str, address: str, now: datetime) -> tuple[dict, bool]:
    """The user's claim of a normalised address, created unverified if new: (row, created).

    409 when another account has it verified; 422 past MAX_PER_ACCOUNT addresses."""
    owner = _verified_owner(conn, address)
    if owner is not None and owner != user_id:
        raise ApiError(409, "email_taken", "Another account has verified this email address.")
    if barred(conn, user_id, address):
        raise ApiError(403, "email_refused",
                       "The owner of this address said it is not theirs to this account.")
    mine = own(conn, user_id, address)
    if mine is not None:
        return mine, False
    held = conn.execute(sa.select(sa.func.count()).select_from(emails)
                        .where(emails.c.user_id == user_id)).scalar_one()
    if held >= MAX_PER_ACCOUNT:
        raise ApiError(422, "too_many_emails",
                       f"An account can have at most {MAX_PER_ACCOUNT} email addresses.")
    md5, sha256 = digests(address)
    row = {"id": ids.email_id(), "user_id": user_id, "email": address, "md5": md5,
           "sha256": sha256, "verified_at": None, "photo_id": None, "created_at": now}
    try:
        # A savepoint: the same user adding the address twice at once loses cleanly.
        with conn.begin_nested():
            conn.execute(emails.insert().values(**row))
    except IntegrityError:
        mine = own(conn, user_id, address)
        if mine is None:
            raise
        return mine, False
    return row, True


def _live_token(conn: Connection, token: str, now: datetime) -> tuple[dict, dict]:
    """(token row, claim row) of a verification token that can still be acted on: 400 for
    one that is unknown, expired, or whose claim is gone (a used one stays good while its
    address stays verified: mail clients and scanners open links twice)."""
    found = email_tokens.find(conn, token, email_tokens.VERIFY)
    row = None if found is None else _by_id(conn, found["email_id"])
    if row is None or (found["used_at"] is not None and row["verified_at"] is None):
        raise ApiError(400, "invalid_token", "This verification link is not valid (any more).")
    if found["used_at"] is None and email_tokens.aware(found["expires_at"]) <= now:
        raise ApiError(400, "expired_token",
                       "This verification link has expired; add the address again for a new one.")
    return found, row


def show(conn: Connection, token: str, now: datetime) -> dict:
    """What a verification link is about, changing nothing (GET: link scanners open it):
    {"email", "username", "expires_at"}."""
    found, row = _live_token(conn, token, now)
    username = conn.execute(sa.select(users.c.username)
                            .where(users.c.id == row["user_id"])).scalar()
    return {"email": row["email"], "username": username,
            "expires_at": ids.iso(email_tokens.aware(found["expires_at"]))}


def verify(conn: Connection, token: str, now: datetime, user_id: str) -> tuple[dict, bool]:
    """Redeem a verification token for the signed-in `user_id`: (the verified claim, whether
    this call verified it).

    400 as _live_token; 404 when the claim is another account's (the link proves the
    mailbox, the sign-in proves the account: both are needed); 409 when another account
    verified the address first. A used token answers again while its address stays
    verified."""
    found, row = _live_token(conn, token, now)
    if row["user_id"] != user_id:
        raise ApiError(404, "claim_not_found",
                       "This link is for another account; sign in as the account it names.")
    if found["used_at"] is not None:
        return row, False
    address = conn.execute(sa.select(emails.c.email).where(
        emails.c.id == found["email_id"])).scalar()
    # Lock every claim of the address, in one order, so two accounts verifying at once
    # queue up here instead of deadlocking on each other's rows.
    claims = conn.execute(sa.select(emails.c.id, emails.c.verified_at)
                          .where(emails.c.email == address).order_by(emails.c.id)
                          .with_for_update()).fetchall()
    if any(c.verified_at is not None and c.id != found["email_id"] for c in claims):
        raise ApiError(409, "email_taken", "Another account has verified this email address.")
    mine = next((c for c in claims if c.id == found["email_id"]), None)
    if mine is None:  # removed while we waited for the lock
        raise ApiError(400, "invalid_token", "This verification link is not valid (any more).")
    newly = mine.verified_at is None
    if newly:
        try:
            with conn.begin_nested():
                conn.execute(emails.update().where(emails.c.id == mine.id)
                             .values(verified_at=now))
        except IntegrityError:  # the partial unique index: someone else won a race
            raise ApiError(409, "email_taken",
                           "Another account has verified this email address.") from None
        conn.execute(emails.delete().where(emails.c.email == address, emails.c.id != mine.id,
                                           emails.c.verified_at.is_(None)))
    email_tokens.consume(conn, found["token_sha256"], mine.id, now)
    verified = _by_id(conn, mine.id)
    # On a repeated confirm too: it costs two cache writes and heals an entry that was lost.
    changes.address_changed(conn, verified["md5"], verified["sha256"])
    return verified, newly


def reject(conn: Connection, token: str, now: datetime) -> dict:
    """"Not me": the address's owner turns the claiming account away. The claim and its
    tokens go, and that account may not claim the address again. No sign-in: the link is
    the proof of the mailbox. 400 for a dead link, or one whose claim is already verified
    (only the holder of the mailbox could have verified it)."""
    _, row = _live_token(conn, token, now)
    if row["verified_at"] is not None:
        raise ApiError(400, "invalid_token", "This address was confirmed with this link; "
                                             "remove it from the account instead.")
    conn.execute(emails.delete().where(emails.c.id == row["id"]))
    db.insert_ignoring_conflict(conn, email_bars, {"email": row["email"],
                                                   "user_id": row["user_id"],
                                                   "created_at": now}, ["email", "user_id"])
    return row


def barred(conn: Connection, user_id: str, address: str) -> bool:
    return conn.execute(sa.select(sa.literal(1)).where(
        email_bars.c.user_id == user_id, email_bars.c.email == address)).first() is not None


def set_photo(conn: Connection, user_id: str, address: str, photo_id: str | None) -> dict:
    """Choose the photo shown for one of the user's addresses (None: the active photo)."""
    row = own_or_404(conn, user_id, address)
    if photo_id is not None:
        photos.lock_own_photo(conn, user_id, photo_id)
    conn.execute(emails.update().where(emails.c.id == row["id"]).values(photo_id=photo_id))
    if row["verified_at"] is not None:
        changes.address_changed(conn, row["md5"], row["sha256"])
    return {**row, "photo_id": photo_id}


def remove(conn: Connection, user_id: str, address: str) -> dict:
    """Delete one of the user's addresses (its tokens go with it); the deleted row."""
    row = own_or_404(conn, user_id, address)
    conn.execute(emails.delete().where(emails.c.id == row["id"]))
    if row["verified_at"] is not None:  # now nobody has it verified: negative entries
        changes.address_changed(conn, row["md5"], row["sha256"])
    return row


def discard_unverified(conn: Connection, email_id: str) -> None:
    """Undo a claim created by a request that then failed (its mail was not sent)."""
    conn.execute(emails.delete().where(emails.c.id == email_id, emails.c.verified_at.is_(None)))


def _by_id(conn: Connection, email_id: str) -> dict | None:
    row = conn.execute(sa.select(emails).where(emails.c.id == email_id)).first()
    return None if row is None else dict(row._mapping)
