"""GET /v1/photos/<id>/stats: the owner's view counts of one photo, per UTC day."""
from __future__ import annotations

from flask import Blueprint, jsonify

from shared.web import ApiError

from ..context import current_user, get_db
from ..photos import store as photos
from . import store

bp = Blueprint("metadata_stats", __name__, url_prefix="/v1")


@bp.get("/photos/<photo_id>/stats")
def photo_stats(photo_id: str):
    user = current_user()
    conn = get_db()
    if photos.get_photo(conn, photo_id, user["id"]) is None:
        raise ApiError(404, "photo_not_found", "You have no photo with that id.")
    return jsonify(store.stats_of(conn, photo_id))
