"""Which read-model entries a change alters, recorded by the store function that makes it.

Every store function that changes a row the read model mirrors (a user's active photo, a
photo, its image's variants, a verified address, a tombstone) calls one of `user_changed`,
`photo_changed`, `image_changed`, `address_changed` inside the caller's transaction. That
bumps the update counter (rm_versions) of each read-model key the change alters and records
the key as pending (rm_pending), so the record commits with the change or not at all (the
key list is worked out from the rows as they are at the call: call it before a delete).

After the commit (db.write's after-commit hook) the keys this transaction recorded are
written by the read-model writer registered for the connection's engine (`refresh_with`,
done by the app and the worker at start). Whatever did not land — Redis down, the process
killed between commit and write, an engine with no writer (a one-off script) — stays in
rm_pending, and the metadata worker writes it (ReadModelWriter.retry_pending, every half
second) until it lands. No route names a refresh: a change made through the store functions
cannot leave its entries stale, and tests/unit/metadata/test_metadata_readmodel_drift.py
walks every mutating route to keep it so."""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .. import db, ids
from ..db.schema import emails, photos, rm_pending, rm_versions, users

log = logging.getLogger(__name__)

# Engine → what writes keys to the cache after a commit (ReadModelWriter.apply).
_writers: weakref.WeakKeyDictionary[Engine, Callable[[Connection, list[str]], int]] = \
    weakref.WeakKeyDictionary()


def refresh_with(engine: Engine, apply: Callable[[Connection, list[str]], int]) -> None:
    """After each commit on `engine` that recorded changes, `apply(conn, keys)` them."""
    _writers[engine] = apply


def key_of(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def _address_keys(rows) -> list[str]:
    return [key for row in rows for key in (key_of("email", row.md5), key_of("email", row.sha256))]


def _users_keys(conn: Connection, which) -> list[str]:
    """The user entries of the users `which` selects, and their verified addresses' entries
    (an address entry shows the user's photo unless it has one of its own)."""
    keys = [key_of("user", name) for name in
            conn.execute(sa.select(users.c.username).where(which)).scalars()]
    verified = conn.execute(
        sa.select(emails.c.md5, emails.c.sha256)
        .select_from(emails.join(users, emails.c.user_id == users.c.id))
        .where(which, emails.c.verified_at.isnot(None)))
    return keys + _address_keys(verified)


def user_changed(conn: Connection, user_id: str) -> None:
    """The user's active photo (or the user itself) changed."""
    record(conn, _users_keys(conn, users.c.id == user_id))


def address_changed(conn: Connection, md5: str, sha256: str) -> None:
    """An address was verified, removed, or given its own photo: both its hash entries."""
    record(conn, [key_of("email", md5), key_of("email", sha256)])


# photo_changed's look-ups, built once (every resize result runs them: db.prebuilt says why);
# the last two are _users_keys for the users whose active photo is one of `photo_ids`.
_SHOWN = sa.bindparam("photo_ids", expanding=True)
_ADDRESSES_SHOWING = sa.select(emails.c.md5, emails.c.sha256).where(
    emails.c.photo_id.in_(_SHOWN), emails.c.verified_at.isnot(None))
_USERS_SHOWING = sa.select(users.c.username).where(users.c.active_photo_id.in_(_SHOWN))
_THEIR_ADDRESSES = (sa.select(emails.c.md5, emails.c.sha256)
                    .select_from(emails.join(users, emails.c.user_id == users.c.id))
                    .where(users.c.active_photo_id.in_(_SHOWN),
                           emails.c.verified_at.isnot(None)))


def photo_changed(conn: Connection, photo_ids: Iterable[str]) -> None:
    """Photos changed (what render shows of them, or that they are gone): their entries and
    every user and verified address showing one of them."""
    photo_ids = list(photo_ids)
    if not photo_ids:
        return
    chosen = conn.execute(_ADDRESSES_SHOWING, {"photo_ids": photo_ids})
    showing = {"photo_ids": photo_ids}
    record(conn, [key_of("photo", pid) for pid in photo_ids] + _address_keys(chosen)
           + [key_of("user", name) for name in conn.execute(_USERS_SHOWING, showing).scalars()]
           + _address_keys(conn.execute(_THEIR_ADDRESSES, showing)))


def photo_added(conn: Connection, photo_id: str) -> None:
    """A photo this transaction inserted, made nobody's active photo or address photo in it:
    only its own entry changes. No other row can point at it yet (the row is not visible to
    other transactions before the commit), so photo_changed's three look-ups for users and
    addresses showing it would find nothing."""
    record(conn, [key_of("photo", photo_id)])


_PHOTOS_OF_IMAGE = sa.select(photos.c.id).where(photos.c.sha256 == sa.bindparam("sha256"))


def image_changed(conn: Connection, sha256: str) -> None:
    """An image's variants or facts changed: every photo of it, and whoever shows one."""
    photo_changed(conn, conn.execute(_PHOTOS_OF_IMAGE, {"sha256": sha256}).scalars().all())


def record(conn: Connection, keys: list[str]) -> None:
    """Mark `keys` changed in the open transaction; written to the cache after its commit.

    Inside db.write each key is marked once per transaction and all are written together
    after the commit. Elsewhere (a bare `engine.begin()`) they are only marked: the worker's
    retry writes them, within a second."""
    keys = list(dict.fromkeys(keys))
    tx = db.transaction_state(conn)
    if tx is None:
        mark(conn, keys)
        return
    batch = tx.get("read_model")
    if batch is None:
        batch = tx["read_model"] = {}
        db.after_commit(conn, lambda: _write(conn, list(batch)))
    new = [key for key in keys if key not in batch]
    mark(conn, new)
    batch.update(dict.fromkeys(new))


def _write(conn: Connection, keys: list[str]) -> None:
    apply = _writers.get(conn.engine)
    if apply is None:
        log.debug("read model: no writer on this engine; %d keys left to the worker", len(keys))
        return
    apply(conn, keys)


def mark(conn: Connection, keys: Iterable[str]) -> None:
    """Bump each key's version and record it pending at that version (reconcile uses this
    to rebuild everything at a new version)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    now = ids.now()
    if conn.dialect.name == "postgresql":
        _mark_in_one_statement(conn, keys, now)
        return
    for key in keys:
        insert = db.dialect_insert(conn, rm_versions).values(key=key, version=1)
        version = conn.execute(insert.on_conflict_do_update(
            index_elements=["key"], set_={"version": rm_versions.c.version + 1})
            .returning(rm_versions.c.version)).scalar_one()
        pending = db.dialect_insert(conn, rm_pending).values(key=key, version=version, since=now)
        conn.execute(pending.on_conflict_do_update(
            index_elements=["key"], set_={"version": pending.excluded.version}))


# PostgreSQL: every key's version bump and pending record in one statement (one round trip,
# not two per key): the version upsert is a data-modifying CTE whose RETURNING feeds the
# pending upsert. Rows are locked in the order of the keys, as the loop does. Spelled as
# text with the keys as one array: the same statement whatever their number, parsed once
# (built with the expression language, the CTE cost more client CPU than the two statements
# it replaced).
_MARK = sa.text("""
WITH bumped AS (
    INSERT INTO rm_versions (key, version)
    SELECT k, 1 FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS given(k, n) ORDER BY n
    ON CONFLICT (key) DO UPDATE SET version = rm_versions.version + 1
    RETURNING key, version)
INSERT INTO rm_pending (key, version, since) SELECT key, version, :since FROM bumped
ON CONFLICT (key) DO UPDATE SET version = excluded.version
""")


def _mark_in_one_statement(conn: Connection, keys: list[str], now) -> None:
    conn.execute(_MARK, {"keys": keys, "since": now})
