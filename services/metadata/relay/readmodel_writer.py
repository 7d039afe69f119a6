"""Keeps the read model (shared/readmodel.py) in step with the database, convergently.

A change that alters what render shows calls refresh_user / refresh_address / refresh_photo /
refresh_image, best inside its write transaction (db.write). That does not touch Redis: it
bumps the update counter (rm_versions) of every read-model key the change alters and records
the key as pending (rm_pending), in the change's own transaction — so the refresh commits
with the change or not at all. After the commit the entries are rebuilt from the database
and written at their version with compare-and-set (an older state never replaces a newer),
each write announced to every render process; a key whose write landed stops being pending.
What did not land (Redis down, the process killed in between) is retried by the metadata
worker (`retry_pending`) until it does. Called outside a transaction, the same happens in a
transaction of its own, right after the caller's commit.

The version is read before the content: content is then never older than its version
claims, so refusing an equal version (compare-and-set) loses nothing — any later change
bumps the version and is pending until its own write lands.

An email entry (`rm:email:<md5>` and `rm:email:<sha256>`, the same content under both) is
the user entry's shape with the address's own photo when it has one. Whatever rewrites a
user entry also rewrites that user's verified addresses (refresh_user), and a change of an
address (verified, photo chosen, removed) rewrites its two hashes (refresh_address)."""
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
from ..db.schema import photos as photo_rows
from ..photos import store as photos

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


def key_of(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def split_key(key: str) -> tuple[str, str]:
    kind, _, name = key.partition(":")
    return kind, name


def version_of(conn: Connection, key: str) -> int:
    return conn.execute(sa.select(rm_versions.c.version)
                        .where(rm_versions.c.key == key)).scalar() or 0


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

    # -- changes -----------------------------------------------------------------------
    def refresh_user(self, conn: Connection, username: str) -> None:
        """The user entry and the entries of the user's verified addresses."""
        keys = [key_of("user", username.lower())]
        verified = conn.execute(
            sa.select(emails.c.md5, emails.c.sha256)
            .select_from(emails.join(users, emails.c.user_id == users.c.id))
            .where(users.c.username == username.lower(), emails.c.verified_at.isnot(None)))
        for row in verified.fetchall():
            keys += [key_of("email", row.md5), key_of("email", row.sha256)]
        self._changed(conn, keys)

    def refresh_address(self, conn: Connection, md5: str, sha256: str) -> None:
        """Both hash entries of one address (negative once it is not verified)."""
        self._changed(conn, [key_of("email", md5), key_of("email", sha256)])

    def refresh_photo(self, conn: Connection, photo_id: str) -> None:
        self._changed(conn, [key_of("photo", photo_id)])

    def refresh_image(self, conn: Connection, sha256: str) -> None:
        """Every photo of this image, and every user and address showing one of them."""
        of_image = sa.select(photo_rows.c.id).where(photo_rows.c.sha256 == sha256)
        keys = [key_of("photo", pid) for pid in conn.execute(of_image).scalars()]
        showing = conn.execute(sa.select(users.c.username)
                               .where(users.c.active_photo_id.in_(of_image))).scalars().all()
        chosen = conn.execute(sa.select(emails.c.md5, emails.c.sha256).where(
            emails.c.verified_at.isnot(None), emails.c.photo_id.in_(of_image))).fetchall()
        for row in chosen:
            keys += [key_of("email", row.md5), key_of("email", row.sha256)]
        self._changed(conn, keys)
        for username in showing:
            self.refresh_user(conn, username)

    def _changed(self, conn: Connection, keys: list[str]) -> None:
        if not keys:
            return
        if db.after_commit(conn, lambda: self.apply(conn, keys)):
            self._mark(conn, keys)
            return
        with db.write(conn):  # not in a write transaction: one of its own
            self._mark(conn, keys)
            db.after_commit(conn, lambda: self.apply(conn, keys))

    @staticmethod
    def _mark(conn: Connection, keys: list[str]) -> None:
        now = ids.now()
        for key in dict.fromkeys(keys):
            insert = db.dialect_insert(conn, rm_versions).values(key=key, version=1)
            version = conn.execute(insert.on_conflict_do_update(
                index_elements=["key"], set_={"version": rm_versions.c.version + 1})
                .returning(rm_versions.c.version)).scalar_one()
            pending = db.dialect_insert(conn, rm_pending).values(key=key, version=version,
                                                                 since=now)
            conn.execute(pending.on_conflict_do_update(
                index_elements=["key"], set_={"version": pending.excluded.version}))

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
            with db.write(conn):
                for key, version in landed.items():
                    conn.execute(rm_pending.delete().where(rm_pending.c.key == key,
                                                           rm_pending.c.version <= version))
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
