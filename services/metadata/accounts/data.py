"""An account's data as a whole: GET /v1/me/export (a zip of account.json and every original
the account uploaded) and DELETE /v1/me (everything goes).

Deleting (accounts/store.py, delete_user) removes the account's photos one by one through
the same store function as DELETE /v1/photos/<id>, then the user row (tokens, email
addresses, bars and the rest follow by ON DELETE CASCADE). The store functions record the
read-model entries they change, rewritten after the commit, so its URLs serve the default at
once. The owners of its verified addresses are told. Bytes that no photo references any more are
removed by the garbage collector (services/metadata/gc, after GC_GRACE), the one path every
deletion uses (content-addressed: another account may hold the same bytes)."""
from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from flask import Blueprint, Response, stream_with_context

from shared.blobstore import BlobNotFound, original_key
from shared.errors import ApiError
from shared.web import rate_limit

from .. import db, ids, validation
from ..context import client, current_user, get_db, state
from ..db.schema import emails as email_rows
from ..db.schema import photos as photo_rows
from ..db.schema import users
from ..emails import store as emails
from ..emails import verification
from ..photos import store as photos
from . import passwords
from . import store as accounts

bp = Blueprint("metadata_account_data", __name__, url_prefix="/v1")
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}


class _Chunks(io.RawIOBase):
    """A write-only stream whose bytes are handed out as they come (zipfile streams into
    it, with data descriptors since it cannot seek), so an export is never whole in memory."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def drain(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _all_photos(conn, user_id: str) -> list[dict]:
    ids_ = conn.execute(sa.select(photo_rows.c.id).where(photo_rows.c.user_id == user_id)
                        .order_by(photo_rows.c.seq)).scalars().all()
    return [photos.get_photo(conn, pid) for pid in ids_]


@bp.get("/me/export")
def export():
    user = current_user()
    conn, st = get_db(), state()
    # As costly as an upload for us (every original is read): counted as one.
    rate_limit(st.limiter, ("uploads", user["id"]), ("uploads_addr", client()))
    created = conn.execute(sa.select(users.c.created_at).where(users.c.id == user["id"])).scalar()
    listed = _all_photos(conn, user["id"])
    account = {"account": {"id": user["id"], "username": user["username"],
                           "created_at": ids.iso(created),
                           "active_photo_id": user["active_photo_id"]},
               "emails": emails.list_for(conn, user["id"]),
               "photos": [photos.photo_json(p, st.settings.origin) for p in listed]}
    blobs = st.blobs

    def generate():
        sink = _Chunks()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as z:
            z.writestr("account.json", json.dumps(account, indent=2))
            yield sink.drain()
            for sha in dict.fromkeys(p["sha256"] for p in listed):   # each original once
                fmt = next(p["format"] for p in listed if p["sha256"] == sha)
                try:
                    data = blobs.get(original_key(sha))
                except BlobNotFound:
                    continue
                z.writestr(f"originals/{sha}.{EXTENSIONS[fmt]}", data)
                yield sink.drain()
        yield sink.drain()

    resp = Response(stream_with_context(generate()), mimetype="application/zip")
    resp.headers["Content-Disposition"] = f'attachment; filename="onepic-{user["username"]}.zip"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.delete("/me")
def delete_account():
    user = current_user()
    body = validation.json_body()
    password = body.get("password")
    conn, st = get_db(), state()
    rate_limit(st.limiter, ("tokens_user", user["username"]), ("tokens_addr", client()))
    if not isinstance(password, str) or len(password) > validation.MAX_PASSWORD or \
            not passwords.verify_password(accounts.password_hash(conn, user["id"]), password):
        raise ApiError(403, "wrong_password", "The password is wrong; nothing was deleted.")
    with db.write(conn):
        verified = conn.execute(sa.select(email_rows.c.email)
                                .where(email_rows.c.user_id == user["id"],
                                       email_rows.c.verified_at.isnot(None))).scalars().all()
        accounts.delete_user(conn, user["id"])
    for address in verified:
        verification.send_notice(st.mailer, st.settings, address, user["username"], False)
    return "", 204
