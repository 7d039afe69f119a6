"""Keeps the read model (shared/readmodel.py) in step with the database.

Called after each commit that changes what render shows, synchronously, so a change is
visible at the origin as soon as the request that made it returns. A cache failure is logged
and swallowed: the entry is rebuilt on render's next miss through /internal/read-model.

An email entry (`rm:email:<md5>` and `rm:email:<sha256>`, the same content under both) is
the user entry's shape with the address's own photo when it has one. Whatever rewrites a
user entry also rewrites that user's verified addresses (refresh_user), and a change of an
address (verified, photo chosen, removed) rewrites its two hashes (refresh_address)."""
from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.cache import CacheUnavailable
from shared.readmodel import MISSING, ReadModel

from ..db.schema import emails, users
from ..db.schema import photos as photo_rows
from ..photos import store as photos

log = logging.getLogger(__name__)

KINDS = ("user", "photo", "email")
EMAIL_HASH = re.compile(r"[0-9a-f]{32}|[0-9a-f]{64}")


def photo_view(photo: dict) -> dict:
    return {"id": photo["id"], "sha256": photo["sha256"], "format": photo["format"],
            "width": photo["width"], "height": photo["height"], "alpha": bool(photo["alpha"]),
            "rating": photo["rating"], "variants": photo["variants"]}


def user_entry(conn: Connection, username: str) -> dict | None:
    row = conn.execute(sa.select(users.c.username, users.c.active_photo_id)
                       .where(users.c.username == username.lower())).first()
    if row is None:
        return None
    photo = photos.get_photo(conn, row.active_photo_id) if row.active_photo_id else None
    return {"username": row.username, "photo": photo_view(photo) if photo else None}


def photo_entry(conn: Connection, photo_id: str) -> dict | None:
    photo = photos.get_photo(conn, photo_id)
    return photo_view(photo) if photo else None


def email_entry(conn: Connection, digest: str) -> dict | None:
    """The entry of an MD5 or SHA-256 hex digest: only a verified address resolves."""
    column = emails.c.md5 if len(digest) == 32 else emails.c.sha256
    row = conn.execute(
        sa.select(users.c.username, users.c.active_photo_id, emails.c.photo_id)
        .select_from(emails.join(users, emails.c.user_id == users.c.id))
        .where(column == digest, emails.c.verified_at.isnot(None))).first()
    if row is None:
        return None
    shown = row.photo_id or row.active_photo_id
    photo = photos.get_photo(conn, shown) if shown else None
    return {"username": row.username, "photo": photo_view(photo) if photo else None}


def build(conn: Connection, kind: str, name: str) -> dict | None:
    if kind == "user":
        return user_entry(conn, name)
    if kind == "photo":
        return photo_entry(conn, name)
    return email_entry(conn, name)


class ReadModelWriter:
    def __init__(self, read_model: ReadModel):
        self.read_model = read_model

    def resolve(self, conn: Connection, kind: str, name: str) -> dict:
        """Build the entry from the database, write it back to the cache and return it."""
        if kind in ("user", "email"):
            name = name.lower()  # usernames and hex digests are keyed lower-case
        if kind == "email" and not EMAIL_HASH.fullmatch(name):
            return MISSING  # not a hash: nothing to look up, and no junk key to write
        entry = build(conn, kind, name)
        self._put(kind, name, entry)
        return MISSING if entry is None else entry

    def refresh_user(self, conn: Connection, username: str) -> None:
        """The user entry and the entries of the user's verified addresses."""
        entry = user_entry(conn, username)
        self._put("user", username.lower(), entry)
        if entry is None:
            return
        verified = conn.execute(
            sa.select(emails.c.md5, emails.c.sha256, emails.c.photo_id)
            .select_from(emails.join(users, emails.c.user_id == users.c.id))
            .where(users.c.username == username.lower(), emails.c.verified_at.isnot(None))
        ).fetchall()
        for row in verified:
            if row.photo_id is None:  # shows the active photo: the user entry says it all
                self._put_address(row.md5, row.sha256, entry)
            else:
                self.refresh_address(conn, row.md5, row.sha256)

    def refresh_address(self, conn: Connection, md5: str, sha256: str) -> None:
        """Both hash entries of one address, from the database (negative if not verified)."""
        self._put_address(md5, sha256, email_entry(conn, sha256))

    def refresh_photo(self, conn: Connection, photo_id: str) -> None:
        self._put("photo", photo_id, photo_entry(conn, photo_id))

    def refresh_image(self, conn: Connection, sha256: str) -> None:
        """Every photo of this image, and every user and address showing one of them."""
        for photo in photos.photos_of_image(conn, sha256):
            self._put("photo", photo["id"], photo_view(photo))
        showing = conn.execute(sa.select(users.c.username).where(
            users.c.active_photo_id.in_(
                sa.select(photo_rows.c.id).where(photo_rows.c.sha256 == sha256))))
        for row in showing.fetchall():
            self.refresh_user(conn, row.username)
        # Addresses showing a photo of this image as their own picture.
        chosen = conn.execute(sa.select(emails.c.md5, emails.c.sha256).where(
            emails.c.verified_at.isnot(None),
            emails.c.photo_id.in_(sa.select(photo_rows.c.id).where(photo_rows.c.sha256 == sha256))))
        for row in chosen.fetchall():
            self.refresh_address(conn, row.md5, row.sha256)

    def _put_address(self, md5: str, sha256: str, entry: dict | None) -> None:
        self._put("email", md5, entry)
        self._put("email", sha256, entry)

    def _put(self, kind: str, name: str, entry: dict | None) -> None:
        try:
            self.read_model.put(kind, name, entry)
        except CacheUnavailable as e:
            log.warning("read model: could not write %s %s (%s); it heals on the next miss",
                        kind, name, e)
