"""Keeps the read model (shared/readmodel.py) in step with the database, convergently.

What changed is recorded by the store functions themselves (relay/readmodel_changes.py): in
the change's own transaction they bump the update counter (rm_versions) of every read-model
key the change alters and record the key as pending (rm_pending). After the commit `apply`
rebuilds those entries from the database and writes them at their version with
compare-and-set (an older state never replaces a newer), each write announced to every
render process; a key whose write landed stops being pending. What did not land (Redis
down, the process killed in between) is retried by the metadata worker (`retry_pending`)
until it does. Render's misses are answered by `resolve`, which writes back with the same
check.

The version is read before the content: content is then never older than its version
claims, so refusing an equal version (compare-and-set) loses nothing — any later change
bumps the version and is pending until its own write lands.

An email entry (`rm:email:<md5>` and `rm:email:<sha256>`, the same content under both) is
the user entry's shape with the address's own photo when it has one."""
from __future__ import annotations

import logging
import re
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared import metrics
from shared.cache import CacheUnavailable
from shared.readmodel import KNOWN_KINDS, MISSING, KnownNames, OwnerEntry, PhotoView, ReadModel

from .. import db, ids
from ..db.schema import emails, photo_tombstones, rm_pending, rm_versions, users
from ..photos import store as photos
from .readmodel_changes import key_of

log = logging.getLogger(__name__)

KINDS = ("user", "photo", "email")
EMAIL_HASH = re.compile(r"[0-9a-f]{32}|[0-9a-f]{64}")


def photo_view(photo: dict) -> PhotoView:
    expires = photo.get("expires_at")
    if expires is not None and expires.tzinfo is None:  # SQLite: naive, UTC
        expires = expires.replace(tzinfo=UTC)
    return {"id": photo["id"], "sha256": photo["sha256"], "format": photo["format"],
            "width": photo["width"], "height": photo["height"], "alpha": bool(photo["alpha"]),
            "rating": photo["rating"], "variants": photo["variants"],
            # Render compares it with its clock: past it, 410 on /i/ and the default elsewhere.
            "expires_at": int(expires.timestamp()) if expires is not None else None}


def user_entry(conn: Connection, username: str) -> OwnerEntry | None:
    row = conn.execute(sa.select(users.c.username, users.c.active_photo_id)
                       .where(users.c.username == username.lower())).first()
    if row is None:
        return None
    photo = photos.get_photo(conn, row.active_photo_id) if row.active_photo_id else None
    return {"username": row.username, "photo": photo_view(photo) if photo else None}


def photo_entry(conn: Connection, photo_id: str) -> PhotoView | None:
    photo = photos.get_photo(conn, photo_id)
    if photo is not None:
        return photo_view(photo)
    gone = conn.execute(sa.select(photo_tombstones.c.id)
                        .where(photo_tombstones.c.id == photo_id)).first()
    return {"id": photo_id, "gone": True} if gone else None  # expired and swept: 410


def email_entry(conn: Connection, digest: str) -> OwnerEntry | None:
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


def build(conn: Connection, kind: str, name: str) -> OwnerEntry | PhotoView | None:
    if kind == "user":
        return user_entry(conn, name)
    if kind == "photo":
        return photo_entry(conn, name)
    return email_entry(conn, name)


def split_key(key: str) -> tuple[str, str]:
    kind, _, name = key.partition(":")
    return kind, name


_VERSION_OF = sa.select(rm_versions.c.version).where(rm_versions.c.key == sa.bindparam("key"))


_DONE = rm_pending.delete().where(rm_pending.c.key == sa.bindparam("key"),
                                  rm_pending.c.version <= sa.bindparam("version"))


def version_of(conn: Connection, key: str) -> int:
    return conn.execute(_VERSION_OF, {"key": key}).scalar() or 0


class ReadModelWriter:
    def __init__(self, read_model: ReadModel):
        self.read_model = read_model
        self.known = KnownNames(read_model.cache)   # the filter of known names

    # -- render's misses -------------------------------------------------------------
    def resolve(self, conn: Connection, kind: str, name: str) -> dict:
        """Build the entry from the database, write it back unless the cache already holds
        it at this version or newer (a miss: normally absent), and return it."""
        if kind in ("user", "email"):
            name = name.lower()  # usernames and hex digests are keyed lower-case
        if kind == "email" and not EMAIL_HASH.fullmatch(name):
            return MISSING  # not a hash: nothing to look up, and no junk key to write
        version = version_of(conn, key_of(kind, name))  # before the content: see above
        entry = build(conn, kind, name)
        try:
            self.read_model.put(kind, name, entry, version)
        except CacheUnavailable as e:
            log.info("read model: no write-back of %s %s (%s)", kind, name, e)
        return MISSING if entry is None else entry

    def load_known_names(self, conn: Connection, batch: int = 5000) -> bool:
        """Fill the filter of known names from the database, then mark it complete; False
        (nothing done) when it is complete already. Names added meanwhile by apply are kept:
        the sets are only ever added to here."""
        done = False
        for kind, query in (
                ("user", sa.select(users.c.username)),
                ("email", sa.select(emails.c.md5, emails.c.sha256)
                 .where(emails.c.verified_at.isnot(None)))):
            if self.known.is_complete(kind):
                continue
            rows = conn.execute(query.execution_options(yield_per=batch))
            for part in rows.partitions(batch):
                self.known.add(kind, *[name for row in part for name in row])
            self.known.mark_complete(kind)
            done = True
        return done

    # -- writing to the cache ----------------------------------------------------------------
    def apply(self, conn: Connection, keys: list[str]) -> int:
        """Write the current entries of `keys` at their versions and announce them; what
        landed stops being pending. How many landed; stops at the first cache failure."""
        landed: dict[str, int] = {}
        try:
            for key in dict.fromkeys(keys):
                kind, name = split_key(key)
                version = version_of(conn, key)
                entry = build(conn, kind, name)
                if entry is not None and kind in KNOWN_KINDS:
                    # Before the entry: a reader that finds no entry must find the name.
                    self.known.add(kind, name)
                written = self.read_model.put(kind, name, entry, version)
                metrics.READ_MODEL_WRITES.labels("written" if written else "older").inc()
                if written:
                    self.read_model.announce(kind, name)
                landed[key] = version
        except CacheUnavailable as e:
            metrics.READ_MODEL_WRITES.labels("unavailable").inc()
            log.warning("read model: %d of %d writes pending (%s); the worker retries them",
                        len(set(keys)) - len(landed), len(set(keys)), e)
        if landed:
            # One statement for every key that landed (each only up to the version written:
            # a newer change stays pending).
            if len(landed) == 1:  # nearly always (one photo's entry): built once
                (key, version), = landed.items()
                done, params = _DONE, {"key": key, "version": version}
            else:
                done, params = rm_pending.delete().where(sa.or_(*(
                    sa.and_(rm_pending.c.key == key, rm_pending.c.version <= version)
                    for key, version in landed.items()))), {}
            if conn.dialect.name == "postgresql":
                # In the transaction the reads above began: a statement under READ COMMITTED
                # sees what is committed when it runs, as in a new one, and this saves the
                # COMMIT and BEGIN between them (two round trips).
                conn.execute(done, params)
                conn.commit()
            else:
                with db.write(conn):  # SQLite: a write after reads must BEGIN IMMEDIATE
                    conn.execute(done, params)
        return len(landed)

    def retry_pending(self, conn: Connection, limit: int = 500) -> int:
        """One pass over what is pending, oldest first; how many landed. Sets the lag gauge
        (age of the oldest pending refresh)."""
        rows = conn.execute(sa.select(rm_pending.c.key, rm_pending.c.since)
                            .order_by(rm_pending.c.since).limit(limit)).fetchall()
        oldest = rows[0].since if rows else None
        if oldest is not None and oldest.tzinfo is None:  # SQLite drops the zone
            oldest = oldest.replace(tzinfo=ids.now().tzinfo)
        metrics.READ_MODEL_LAG.set((ids.now() - oldest).total_seconds() if oldest else 0.0)
        if conn.in_transaction():
            conn.commit()
        return self.apply(conn, [r.key for r in rows]) if rows else 0
