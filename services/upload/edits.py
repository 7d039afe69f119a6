"""PUT /v1/photos/<id>/transform: an edit of one of the caller's photos (crop, quarter
turns, mirror, resize) made into a NEW photo whose source_id is the edited one; the
original stays as it is. The pixels come from the sanitized original (shared/images/edit.py)
and the result is admitted exactly like an upload (admission.py), so the resizer makes its
variants as for any other picture."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify, request

from shared.blobstore import BlobNotFound, BlobStore, original_key
from shared.config import Settings
from shared.images import ImageRejected
from shared.images.edit import Edit, apply, result_size
from shared.internal import MetadataClient
from shared.photos import whole_number
from shared.web import ApiError

from .admission import admit, authenticate, check_image

MAX_SIDE = 16384  # resizeWidth / resizeHeight; MAX_PIXELS bounds the area too
FIELDS = {"crop", "rotate", "flip", "resizeWidth", "resizeHeight"}


def _int(value, name: str, low: int, high: int) -> int:
    number = whole_number(value)
    if number is None or not low <= number <= high:
        raise ApiError(422, "invalid_edit", f"{name} must be an integer from {low} to {high}.")
    return number


def parse_edit(body) -> Edit:
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object.")
    unknown = set(body) - FIELDS
    if unknown:
        raise ApiError(422, "invalid_edit", f"Unknown field(s): {', '.join(sorted(unknown))}.")
    crop = body.get("crop")
    if "crop" in body:
        if not isinstance(crop, dict) or set(crop) != {"x", "y", "width", "height"}:
            raise ApiError(422, "invalid_edit", "crop must be {x, y, width, height}.")
        crop = (_int(crop["x"], "crop.x", 0, MAX_SIDE * 4), _int(crop["y"], "crop.y", 0, MAX_SIDE * 4),
                _int(crop["width"], "crop.width", 1, MAX_SIDE * 4),
                _int(crop["height"], "crop.height", 1, MAX_SIDE * 4))
    rotate = whole_number(body.get("rotate", 0))
    if rotate not in (0, 90, 180, 270):
        raise ApiError(422, "invalid_edit", "rotate must be 0, 90, 180 or 270.")
    flip = body.get("flip", False)
    if not isinstance(flip, bool):
        raise ApiError(422, "invalid_edit", "flip must be true or false.")
    width, height = (_int(body[k], k, 1, MAX_SIDE) if k in body else None
                     for k in ("resizeWidth", "resizeHeight"))
    edit = Edit(crop, rotate, flip, width, height)
    if edit.empty:
        raise ApiError(422, "empty_edit", "Say what to change: crop, rotate, flip or resize.")
    return edit


def blueprint(settings: Settings, blobs: BlobStore, metadata: MetadataClient,
              limit_uploads: Callable[[dict], None]) -> Blueprint:
    bp = Blueprint("upload_edits", __name__)

    @bp.put("/v1/photos/<photo_id>/transform")
    def transform(photo_id: str):
        user = authenticate(request, metadata)
        limit_uploads(user)  # an edit makes a photo, as an upload does
        edit = parse_edit(request.get_json(silent=True))
        source = metadata.photo(photo_id, user["user_id"])
        if source is None:
            raise ApiError(404, "photo_not_found", "You have no photo with that id.")
        try:  # checked on the numbers before a pixel is decoded
            width, height = result_size(edit, source["width"], source["height"])
        except ImageRejected as e:
            raise ApiError(e.status, e.code, e.message) from None
        if width * height > settings.max_pixels:
            raise ApiError(422, "too_many_pixels",
                           f"The result would have more than {settings.max_pixels} pixels.")
        try:
            original = blobs.get(original_key(source["sha256"]))
            data, _ = apply(original, source["format"], edit)
        except BlobNotFound:
            raise ApiError(409, "original_missing", "This photo's original is not available.") from None
        except ImageRejected as e:
            raise ApiError(e.status, e.code, e.message) from None
        info = check_image(data, settings)
        fields = {"alt": source["alt"] or "", "rating": source["rating"], "activate": False,
                  "expires_at": source["expires_at"]}  # an edit lives as long as its source
        status, photo = admit(data, info, user, fields, blobs, metadata, source_id=photo_id)
        return jsonify(photo), status

    return bp
