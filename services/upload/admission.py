"""Admission of an image's bytes, the same for a direct upload (`POST /v1/photos`), a
completed presigned one (`POST /v1/uploads/<id>/complete`) and an edit (`PUT
/v1/photos/<id>/transform`): probe the header (format by magic bytes, pixels, frames, a
decode check), hash, store the original under its content address, record the photo
through metadata."""
from __future__ import annotations

import hashlib

from shared import session
from shared.blobstore import BlobStore, original_key
from shared.config import Settings
from shared.errors import ApiError
from shared.images import CONTENT_TYPES
from shared.images.probe import probe
from shared.internal import MetadataClient


def check_image(data: bytes, settings: Settings):
    """The probed image facts; ImageRejected (an ApiError: 415/422, an empty file's 422
    empty_file included) refuses the bytes."""
    return probe(data, max_pixels=settings.max_pixels, max_frames=settings.max_frames)


def admit(data: bytes, info, user: dict, fields: dict, blobs: BlobStore,
          metadata: MetadataClient, **extra) -> tuple[int, dict]:
    """Store the checked bytes and record the photo: (status, photo) from metadata."""
    sha256 = hashlib.sha256(data).hexdigest()
    key = original_key(sha256)
    # Put without asking first: the key is the content's hash, so rewriting the same bytes
    # is harmless, and a new image (nearly every upload) is then two store requests, not
    # three (the check below is still needed).
    blobs.put(key, data, CONTENT_TYPES[info.format])
    status, body = metadata.create_photo({
        "user_id": user["user_id"], "sha256": sha256, "format": info.format,
        "width": info.width, "height": info.height, "bytes": len(data),
        "alpha": info.alpha, "frames": info.frames, **fields, **extra,
    })
    # Garbage collection may have removed these bytes between our put (or exists) and the
    # photo's commit, if the image had been unreferenced past its grace period. The committed
    # photo now protects them, so one check after it is enough.
    if not blobs.exists(key):
        blobs.put(key, data, CONTENT_TYPES[info.format])
    return status, body


def authenticate(request, metadata: MetadataClient) -> dict:
    """The caller, or 401 (before any body is read): a Bearer token or the page's session
    cookie (CSRF-checked, shared/session.py). MetadataUnavailable is a 503."""
    token = session.request_token(request)
    user = metadata.authenticate(token) if token else None
    if user is None:
        raise ApiError(401, "unauthorized", "Send a valid 'Authorization: Bearer' token.")
    return user
