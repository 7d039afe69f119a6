"""The internal API used by upload and render (contract: shared/internal.py docstring).

Never routed publicly; every request must carry the service token."""
from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request

from shared.blobstore import SHA256_HEX
from shared.errors import ApiError
from shared.images import CONTENT_TYPES
from shared.internal import TOKEN_HEADER
from shared.photos import capped, parse_expiry

from . import db, validation
from .accounts import store as accounts
from .context import get_db, state
from .photos import store as photos
from .relay import outbox
from .relay.readmodel_writer import KINDS
from .uploads import store as uploads

bp = Blueprint("metadata_internal", __name__, url_prefix="/internal")

@bp.before_request
def _require_service_token():
    sent = request.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(sent.encode(), state().settings.internal_token.encode()):
        raise ApiError(403, "forbidden", "This endpoint is for OnePic services only.")


@bp.get("/ping")
def ping():
    """Readiness of the callers: answers only when their token is right (the before_request
    check above), which /healthz cannot tell them."""
    return jsonify({"status": "ok"})


@bp.post("/auth")
def auth():
    token = validation.json_body().get("token")
    user = (accounts.user_for_token(get_db(), token, state().clock())
            if isinstance(token, str) and token else None)
    if user is None:
        raise ApiError(401, "unauthorized", "Unknown API token.")
    # What the quotas leave, so upload can refuse a file before storing any of it.
    count, total = photos.usage(get_db(), user["id"])
    settings = state().settings
    return jsonify({"user_id": user["id"], "username": user["username"],
                    "quota_left": {"photos": max(0, settings.quota_photos - count),
                                   "bytes": max(0, settings.quota_bytes - total)}})


def _photo_request(body: dict) -> dict:
    def positive_int(key: str) -> int:
        value = body.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ApiError(422, "invalid_image", f"{key} must be a positive integer.")
        return value

    sha256 = body.get("sha256")
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256):
        raise ApiError(422, "invalid_image", "sha256 must be 64 lower-case hex digits.")
    if body.get("format") not in CONTENT_TYPES:
        raise ApiError(422, "invalid_image", "format must be one of jpeg, png, webp, gif.")
    for key in ("alpha", "activate"):
        if not isinstance(body.get(key, False), bool):
            raise ApiError(422, "invalid_request", f"{key} must be true or false.")
    if not isinstance(body.get("user_id"), str):
        raise ApiError(422, "invalid_user", "user_id is required.")
    return {"user_id": body["user_id"], "sha256": sha256, "format": body["format"],
            "width": positive_int("width"), "height": positive_int("height"),
            "bytes": positive_int("bytes"), "frames": positive_int("frames"),
            "alpha": body.get("alpha", False), "activate": body.get("activate", False),
            "alt": validation.alt(body.get("alt")),
            "rating": validation.rating(body.get("rating") or "g"),
            "source_id": _optional_str(body, "source_id"),
            "expires_at": _expiry(body.get("expires_at"))}


def _expiry(value):
    """The upload's expires_at (upload parsed expires_in/expires_at into it), capped by
    MAX_PHOTO_LIFETIME, which also gives photos without one an expiry."""
    now = state().clock()
    when = parse_expiry(None, value, now) if value is not None else None
    return capped(when, state().settings.max_photo_lifetime, now)


def _optional_str(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError(422, "invalid_request", f"{key} must be a string.")
    return value


@bp.post("/photos")
def create_photo():
    body = validation.json_body()
    info = _photo_request(body)
    upload_id = body.get("upload_id")  # a completed direct upload: its ticket goes with it
    conn = get_db()
    with db.write(conn):
        user = accounts.user_by_id(conn, info["user_id"])
        if user is None:
            raise ApiError(422, "invalid_user", "No user has that user_id.")
        photos.check_quota(conn, info["user_id"], info["sha256"], info["bytes"],
                           state().settings)
        if info["source_id"] is not None:  # an edit: of one of the same user's photos
            photos.lock_own_photo(conn, info["user_id"], info["source_id"])
        photo, created = photos.record_photo(conn, info)
        if isinstance(upload_id, str):
            uploads.finish(conn, upload_id)
    outbox.wake()
    return jsonify(photos.photo_json(photo, state().settings.origin)), (201 if created else 200)


@bp.get("/photos/<photo_id>")
def get_photo(photo_id: str):
    """One user's photo, for an edit of it (services/upload/edits.py)."""
    photo = photos.get_photo(get_db(), photo_id, request.args.get("user_id", ""))
    if photo is None:
        raise ApiError(404, "photo_not_found", "You have no photo with that id.")
    return jsonify(photos.photo_json(photo, state().settings.origin))


@bp.get("/read-model/<kind>/<path:name>")
def read_model(kind: str, name: str):
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"No read-model kind {kind!r}.")
    return jsonify(state().writer.resolve(get_db(), kind, name))


@bp.post("/uploads")
def create_upload():
    """A ticket for a direct upload; the upload service has checked the type and size."""
    body = validation.json_body()
    size = body.get("bytes")
    if (not isinstance(body.get("user_id"), str) or body.get("content_type") not in
            CONTENT_TYPES.values() or not isinstance(size, int) or isinstance(size, bool)
            or size < 1):
        raise ApiError(422, "invalid_request", "user_id, content_type and bytes are required.")
    conn, st = get_db(), state()
    with db.write(conn):
        if accounts.user_by_id(conn, body["user_id"]) is None:
            raise ApiError(422, "invalid_user", "No user has that user_id.")
        ticket = uploads.issue(conn, body["user_id"], body["content_type"], size, st.clock(),
                               st.settings.upload_ticket_ttl)
    return jsonify(uploads.ticket_json(ticket)), 201


@bp.get("/uploads/<ticket_id>")
def get_upload(ticket_id: str):
    ticket = uploads.find(get_db(), ticket_id, request.args.get("user_id", ""))
    if ticket is None:
        raise ApiError(404, "upload_not_found", "You have no upload with that id.")
    return jsonify(uploads.ticket_json(ticket))


@bp.delete("/uploads/<ticket_id>")
def delete_upload(ticket_id: str):
    conn = get_db()
    with db.write(conn):
        uploads.finish(conn, ticket_id)
    return "", 204
