"""The public photo API as in API.md: the caller's photos and which one is active (uploads
are the upload service's)."""
from __future__ import annotations

from datetime import UTC

from flask import Blueprint, jsonify, request

from shared.errors import ApiError
from shared.photos import capped, parse_expiry, whole_number

from .. import db, validation
from ..context import current_user, get_db, state
from . import store as photos

bp = Blueprint("metadata_photos", __name__, url_prefix="/v1")


def _photo_or_404(conn, user_id: str, photo_id: str) -> dict:
    photo = photos.get_photo(conn, photo_id, user_id)
    if photo is None:
        raise ApiError(404, "photo_not_found", "You have no photo with that id.")
    return photo


@bp.put("/me/active-photo")
def set_active_photo():
    user = current_user()
    body = validation.json_body()
    if "photo_id" not in body or not (body["photo_id"] is None or isinstance(body["photo_id"], str)):
        raise ApiError(422, "invalid_photo_id", "photo_id must be a photo id or null.")
    conn = get_db()
    with db.write(conn):
        photos.set_active(conn, user["id"], body["photo_id"])
    return jsonify({"active_photo_id": body["photo_id"]})


@bp.get("/photos")
def list_photos():
    user = current_user()
    page, next_cursor = photos.list_photos(get_db(), user["id"], request.args.get("cursor"))
    origin = state().settings.origin
    return jsonify({"photos": [photos.photo_json(p, origin) for p in page],
                    "next_cursor": next_cursor})


@bp.get("/photos/<photo_id>")
def get_photo(photo_id: str):
    user = current_user()
    return jsonify(photos.photo_json(_photo_or_404(get_db(), user["id"], photo_id),
                                     state().settings.origin))


@bp.patch("/photos/<photo_id>")
def patch_photo(photo_id: str):
    user = current_user()
    body = validation.json_body()
    changes = {}
    if "alt" in body:
        changes["alt"] = validation.alt(body["alt"])
    if "rating" in body:
        changes["rating"] = validation.rating(body["rating"])
    lifetime = "expires_at" in body or "expires_in" in body
    conn, st = get_db(), state()
    with db.write(conn):
        if lifetime:  # null expires_at: never, unless MAX_PHOTO_LIFETIME says otherwise
            if ("expires_in" in body and whole_number(body["expires_in"]) is None) or (
                    body.get("expires_at") == ""):
                raise ApiError(422, "invalid_expiry",
                               "expires_in is a number of seconds; expires_at an RFC 3339 time or null.")
            current = _photo_or_404(conn, user["id"], photo_id)
            when = parse_expiry(body.get("expires_in"), body.get("expires_at"), st.clock())
            changes["expires_at"] = capped(when, st.settings.max_photo_lifetime,
                                           _aware(current["created_at"]))
        if not photos.update_photo(conn, user["id"], photo_id, changes):
            raise ApiError(404, "photo_not_found", "You have no photo with that id.")
    return jsonify(photos.photo_json(_photo_or_404(conn, user["id"], photo_id),
                                     state().settings.origin))


def _aware(ts):
    """SQLite hands back naive datetimes, which are UTC here."""
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


@bp.delete("/photos/<photo_id>")
def delete_photo(photo_id: str):
    user = current_user()
    conn = get_db()
    with db.write(conn):
        if not photos.delete_photo(conn, user["id"], photo_id):
            raise ApiError(404, "photo_not_found", "You have no photo with that id.")
    return "", 204
