"""Keeps the read model (shared/readmodel.py) in step with the database.

Called after each commit that changes what render shows, synchronously, so a change is
visible at the origin as soon as the request that made it returns. A cache failure is logged
and swallowed: the entry is rebuilt on render's next miss through /internal/read-model."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.cache import CacheUnavailable
from shared.readmodel import MISSING, ReadModel

from . import photos
from .schema import photos as photo_rows, users

log = logging.getLogger(__name__)

KINDS = ("user", "photo", "email")


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


def build(conn: Connection, kind: str, name: str) -> dict | None:
    if kind == "user":
        return user_entry(conn, name)
    if kind == "photo":
        return photo_entry(conn, name)
    # Email hashes map to an account only once the address is verified, which a later
    # change adds; until then no hash resolves.
    return None


class ReadModelWriter:
    def __init__(self, read_model: ReadModel):
        self.read_model = read_model

    def resolve(self, conn: Connection, kind: str, name: str) -> dict:
        """Build the entry from the database, write it back to the cache and return it."""
        if kind in ("user", "email"):
            name = name.lower()  # usernames and hex digests are keyed lower-case
        entry = build(conn, kind, name)
        self._put(kind, name, entry)
        return MISSING if entry is None else entry

    def refresh_user(self, conn: Connection, username: str) -> None:
        self._put("user", username.lower(), user_entry(conn, username))

    def refresh_photo(self, conn: Connection, photo_id: str) -> None:
        self._put("photo", photo_id, photo_entry(conn, photo_id))

    def refresh_image(self, conn: Connection, sha256: str) -> None:
        """Every photo of this image, and every user showing one of them."""
        for photo in photos.photos_of_image(conn, sha256):
            self._put("photo", photo["id"], photo_view(photo))
        showing = conn.execute(sa.select(users.c.username).where(
            users.c.active_photo_id.in_(
                sa.select(photo_rows.c.id).where(photo_rows.c.sha256 == sha256))))
        for row in showing.fetchall():
            self.refresh_user(conn, row.username)

    def _put(self, kind: str, name: str, entry: dict | None) -> None:
        try:
            self.read_model.put(kind, name, entry)
        except CacheUnavailable as e:
            log.warning("read model: could not write %s %s (%s); it heals on the next miss",
                        kind, name, e)
