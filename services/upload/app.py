"""The upload service: the public write path (`POST /v1/photos`).

Authenticate first (no body read for a stranger), then stream the body under the byte cap,
sniff and probe the header (format, pixels, frames), hash, store the original under its
content address, and record the photo through metadata's internal API.

A file refused on admission (401, 413, 415, 422 on the fields or the image) stores nothing:
every check runs before the first put. A backend that is down answers 503 (shared/web.py).
If metadata fails *after* the put, the content-addressed original stays in the blob store
with no photo row; it is not deleted here, because another photo may share those bytes and
a retry of the same upload reuses the object."""
from __future__ import annotations

import hashlib
import logging

from flask import Flask, jsonify, request

from shared import session, web
from shared.blobstore import BlobStore, create_blob_store, original_key
from shared.clientaddr import client_address
from shared.config import Settings
from shared.errors import ApiError
from shared.images import CONTENT_TYPES
from shared.images.probe import probe
from shared.internal import MetadataClient
from shared.ratelimit import Limiter
from shared.server import configure_logging
from shared.uploads import MULTIPART_OVERHEAD

from .body import read_image_body
from .fields import parse_fields

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, blobs: BlobStore | None = None,
               metadata: MetadataClient | None = None) -> Flask:
    settings = settings or Settings.from_env()
    # gunicorn configures only its own loggers; a no-op where logging is set up already.
    configure_logging(settings.log_level)
    blobs = create_blob_store(settings.blob_url) if blobs is None else blobs
    if metadata is None:
        if not settings.metadata_url:
            raise RuntimeError("METADATA_URL must be set for a standalone upload service")
        settings.check_outside_standalone()
        metadata = MetadataClient.over_http(settings.metadata_url, settings.internal_token)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + MULTIPART_OVERHEAD
    web.install(app, "upload", checks={"blob_store": blobs.ping, "metadata": metadata.ping})
    limiter = Limiter.from_settings(settings)

    @app.post("/v1/photos")
    def create_photo():
        # A Bearer token or the page's session cookie (CSRF-checked, shared/session.py).
        token = session.request_token(request)
        # MetadataUnavailable here (and from the blob store or create_photo below) is a 503.
        user = metadata.authenticate(token) if token else None
        if user is None:
            raise ApiError(401, "unauthorized", "Send a valid 'Authorization: Bearer' token.")
        # Before the body is read: a refused upload costs us no bytes.
        web.rate_limit(limiter, ("uploads", user["user_id"]),
                       ("uploads_addr", client_address(request.environ,
                                                       settings.trusted_proxies)))

        data, form = read_image_body(request, settings.max_upload_bytes)
        left = user.get("quota_left")
        if left is not None and (left["photos"] < 1 or left["bytes"] < len(data)):
            # Metadata checks again when it records the photo (two uploads can race); this
            # early answer keeps a refused file out of the blob store.
            raise web.ApiError(403, "quota_exceeded",
                               "This account has no room for this photo; delete some first.")
        fields = parse_fields(form)
        # ImageRejected is an ApiError: answered as is (an empty file is its 422 empty_file).
        info = probe(data, max_pixels=settings.max_pixels, max_frames=settings.max_frames)

        sha256 = hashlib.sha256(data).hexdigest()
        key = original_key(sha256)
        if not blobs.exists(key):
            blobs.put(key, data, CONTENT_TYPES[info.format])
        status, body = metadata.create_photo({
            "user_id": user["user_id"], "sha256": sha256, "format": info.format,
            "width": info.width, "height": info.height, "bytes": len(data),
            "alpha": info.alpha, "frames": info.frames, **fields,
        })
        # Garbage collection may have removed these bytes between our put (or exists) and
        # the photo's commit, if the image had been unreferenced past its grace period. The
        # committed photo now protects them, so one check after it is enough.
        if not blobs.exists(key):
            blobs.put(key, data, CONTENT_TYPES[info.format])
        return jsonify(body), status

    return app
