"""Photos: a user's pointer to an image (content), with its alt text and rating."""
from __future__ import annotations

import base64
import binascii
import json
import re

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.broker import RESIZE_REQUESTS
from shared.errors import ApiError
from shared.images import VARIANTS

from .. import db, ids
from ..db.schema import emails, images, outbox, photo_tombstones, photos, users, variants
from ..relay import readmodel_changes as changes

PAGE_SIZE = 20

_COLUMNS = (photos.c.seq, photos.c.id, photos.c.user_id, photos.c.sha256, photos.c.alt,
            photos.c.rating, photos.c.created_at, photos.c.expires_at, photos.c.source_id,
            images.c.format, images.c.width, images.c.height, images.c.bytes, images.c.alpha,
            images.c.frames, images.c.failed)
_SELECT = sa.select(*_COLUMNS).select_from(photos.join(images, photos.c.sha256 == images.c.sha256))


# Built once: the statements every upload runs (db.prebuilt says why).
_VARIANTS_OF = (sa.select(variants.c.sha256, variants.c.name, variants.c.fmt)
                .where(variants.c.sha256.in_(sa.bindparam("shas", expanding=True)))
                .order_by(variants.c.sha256, variants.c.name, variants.c.fmt))
_BY_ID = _SELECT.where(photos.c.id == sa.bindparam("photo_id"))
_BY_ID_OF_USER = _BY_ID.where(photos.c.user_id == sa.bindparam("owner"))
_BY_USER_AND_IMAGE = _SELECT.where(photos.c.user_id == sa.bindparam("owner"),
                                   photos.c.sha256 == sa.bindparam("image"))
_USAGE = (sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(images.c.bytes), 0))
          .select_from(photos.join(images, photos.c.sha256 == images.c.sha256))
          .where(photos.c.user_id == sa.bindparam("owner")))
_OUTBOX_INSERT = outbox.insert()
_HAS_PHOTO_OF = sa.select(photos.c.id).where(photos.c.user_id == sa.bindparam("owner"),
                                             photos.c.sha256 == sa.bindparam("image"))


def variants_of(conn: Connection, sha256s: set[str]) -> dict[str, dict[str, list[str]]]:
    """For each image: variant name → stored formats (sorted), only for what exists."""
    out: dict[str, dict[str, list[str]]] = {s: {} for s in sha256s}
    if not sha256s:
        return out
    rows = conn.execute(_VARIANTS_OF, {"shas": sorted(sha256s)})
    for r in rows:
        out[r.sha256].setdefault(r.name, []).append(r.fmt)
    return out


def _with_variants(conn: Connection, rows) -> list[dict]:
    found = [dict(r._mapping) for r in rows]
    by_image = variants_of(conn, {p["sha256"] for p in found})
    for p in found:
        p["variants"] = by_image[p["sha256"]]
    return found


def get_photo(conn: Connection, photo_id: str, user_id: str | None = None) -> dict | None:
    """The photo (with image facts and variants); with `user_id`, only if it is theirs."""
    if user_id is None:
        rows = conn.execute(_BY_ID, {"photo_id": photo_id})
    else:
        rows = conn.execute(_BY_ID_OF_USER, {"photo_id": photo_id, "owner": user_id})
    found = _with_variants(conn, rows)
    return found[0] if found else None


def photos_of_image(conn: Connection, sha256: str) -> list[dict]:
    return _with_variants(conn, conn.execute(_SELECT.where(photos.c.sha256 == sha256)))


def list_photos(conn: Connection, user_id: str, cursor: str | None) -> tuple[list[dict], str | None]:
    """A page of the user's photos, newest first, and the cursor of the next page (or None)."""
    stmt = _SELECT.where(photos.c.user_id == user_id)
    if cursor:
        stmt = stmt.where(photos.c.seq < decode_cursor(cursor))
    rows = conn.execute(stmt.order_by(photos.c.seq.desc()).limit(PAGE_SIZE + 1)).fetchall()
    page = _with_variants(conn, rows[:PAGE_SIZE])
    more = len(rows) > PAGE_SIZE
    return page, (encode_cursor(page[-1]["seq"]) if more else None)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": seq}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    seq = None
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", cursor):
        try:
            seq = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["before"]
        except (binascii.Error, ValueError, TypeError, KeyError, IndexError):
            seq = None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ApiError(400, "bad_cursor", "The cursor is not one this API handed out.")
    return seq


def usage(conn: Connection, user_id: str) -> tuple[int, int]:
    """(photos, bytes of their originals) the user holds, for the quotas."""
    count, total = conn.execute(_USAGE, {"owner": user_id}).one()
    return int(count), int(total)


def check_quota(conn: Connection, user_id: str, sha256: str, size: int, settings) -> None:
    """403 quota_exceeded when one more photo of `size` bytes would pass QUOTA_PHOTOS or
    QUOTA_BYTES; the same bytes again (an existing photo) cost nothing."""
    if conn.execute(_HAS_PHOTO_OF, {"owner": user_id, "image": sha256}).first():
        return
    count, total = usage(conn, user_id)
    if count + 1 > settings.quota_photos or total + size > settings.quota_bytes:
        raise ApiError(403, "quota_exceeded",
                       f"This account holds {count} photos ({total} bytes); the limit is "
                       f"{settings.quota_photos} photos and {settings.quota_bytes} bytes. "
                       "Delete some to make room.")


def record_photo(conn: Connection, info: dict) -> tuple[dict, bool]:
    """Record an uploaded image as the user's photo, inside the caller's transaction.

    Returns (photo, created). The same user uploading the same bytes again gets the existing
    photo back. A resize request goes into the outbox, committed with the rows, whenever the
    image has no variants yet (duplicates are harmless: the resizer is idempotent)."""
    now = ids.now()
    # The image is referenced again: garbage collection must not take its bytes. An existing
    # row is updated even when unreferenced_at is already NULL, so a collector holding it
    # (FOR UPDATE) re-reads it after this transaction and sees the change, or, had it
    # collected the row meanwhile, this inserts a fresh one (services/metadata/gc). One
    # statement: insert, or clear the mark.
    conn.execute(db.prebuilt(conn, "image: insert or clear its GC mark", lambda c: (
        db.dialect_insert(c, images).on_conflict_do_update(
            index_elements=["sha256"], set_={"unreferenced_at": None}))), {
        "sha256": info["sha256"], "format": info["format"], "width": info["width"],
        "height": info["height"], "bytes": info["bytes"], "alpha": info["alpha"],
        "frames": info["frames"], "created_at": now})
    created = conn.execute(db.prebuilt(conn, "photo: insert if new", lambda c: (
        db.dialect_insert(c, photos).on_conflict_do_nothing(
            index_elements=["user_id", "sha256"]))), {
        "id": ids.photo_id(), "user_id": info["user_id"], "sha256": info["sha256"],
        "alt": info["alt"], "rating": info["rating"], "created_at": now,
        "expires_at": info.get("expires_at"), "source_id": info.get("source_id")}
    ).rowcount == 1
    photo = _with_variants(conn, conn.execute(
        _BY_USER_AND_IMAGE, {"owner": info["user_id"], "image": info["sha256"]}))[0]
    if info["activate"]:
        conn.execute(users.update().where(users.c.id == info["user_id"])
                     .values(active_photo_id=photo["id"]))
    if created and not info["activate"]:
        changes.photo_added(conn, photo["id"])
    else:
        changes.photo_changed(conn, [photo["id"]])  # and the user, when it is now the active one
    if not photo["variants"]:
        conn.execute(_OUTBOX_INSERT, {
            "queue": RESIZE_REQUESTS, "created_at": now,
            "payload": json.dumps({"sha256": photo["sha256"], "format": photo["format"]})})
        db.notify_outbox(conn)
    return photo, created


def update_photo(conn: Connection, user_id: str, photo_id: str, edits: dict) -> bool:
    """Apply alt/rating/expires_at changes; False when the user has no such photo."""
    stmt = photos.update().where(photos.c.id == photo_id, photos.c.user_id == user_id)
    if not edits:
        return get_photo(conn, photo_id, user_id) is not None
    if conn.execute(stmt.values(**edits)).rowcount != 1:
        return False
    changes.photo_changed(conn, [photo_id])
    return True


def delete_photo(conn: Connection, user_id: str, photo_id: str) -> bool:
    """Delete the photo (not its image: blobs are content-addressed and may be shared)."""
    deleted = conn.execute(photos.delete().where(
        photos.c.id == photo_id, photos.c.user_id == user_id)).rowcount == 1
    if deleted:
        changes.photo_changed(conn, [photo_id])  # before the pointers below are cleared
        conn.execute(users.update().where(users.c.id == user_id,
                                          users.c.active_photo_id == photo_id)
                     .values(active_photo_id=None))
        conn.execute(emails.update().where(emails.c.user_id == user_id,
                                           emails.c.photo_id == photo_id)
                     .values(photo_id=None))
    return deleted


def expire_photo(conn: Connection, user_id: str, photo_id: str, now) -> bool:
    """Delete an expired photo, leaving a tombstone so its link answers 410 for good; False
    when it was deleted meanwhile (then no tombstone: it did not expire)."""
    if not delete_photo(conn, user_id, photo_id):
        return False
    db.insert_ignoring_conflict(conn, photo_tombstones, {"id": photo_id, "gone_at": now}, ["id"])
    return True


def lock_own_photo(conn: Connection, user_id: str, photo_id: str) -> None:
    """404 unless the user has this photo; otherwise lock it until the transaction ends.

    FOR UPDATE: a concurrent delete of the photo either finishes first (→ 404 here) or waits
    and then clears the pointer the caller sets (active photo, per-address photo), so that
    pointer never dangles."""
    owned = conn.execute(sa.select(photos.c.id).where(
        photos.c.id == photo_id, photos.c.user_id == user_id).with_for_update()).first()
    if owned is None:
        raise ApiError(404, "photo_not_found", "You have no photo with that id.")


def set_active(conn: Connection, user_id: str, photo_id: str | None) -> None:
    if photo_id is not None:
        lock_own_photo(conn, user_id, photo_id)
    conn.execute(users.update().where(users.c.id == user_id).values(active_photo_id=photo_id))
    changes.user_changed(conn, user_id)


def photo_json(photo: dict, origin: str) -> dict:
    """The public photo shape of API.md."""
    url = f"{origin}/i/{photo['id']}"
    names = photo["variants"]
    return {
        "id": photo["id"], "sha256": photo["sha256"], "width": photo["width"],
        "height": photo["height"], "format": photo["format"], "bytes": photo["bytes"],
        "alt": photo["alt"], "rating": photo["rating"], "created_at": ids.iso(photo["created_at"]),
        "expires_at": ids.iso(photo["expires_at"]) if photo["expires_at"] else None,
        "source_id": photo["source_id"],
        "url": url,
        "variants": {name: (f"{url}?size={name}" if name in names else None) for name in VARIANTS},
        "status": ("ready" if all(name in names for name in VARIANTS)
                   else "failed" if photo.get("failed") else "processing"),
    }
