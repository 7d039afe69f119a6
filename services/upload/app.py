"""The upload service: the public write path (`POST /v1/photos`).

Authenticate first (no body read for a stranger), then stream the body under the byte cap,
sniff and probe the header (format, pixels, frames), hash, store the original under its
content address, and record the photo through metadata's internal API. Nothing is stored
for a refused file."""
from __future__ import annotations

import hashlib
import logging

from flask import Flask, jsonify, request

from shared import web
from shared.blobstore import BlobStore, create_blob_store, original_key
from shared.config import Settings
from shared.images import CONTENT_TYPES, ImageRejected
from shared.images.probe import probe
from shared.internal import MetadataClient, MetadataUnavailable
from shared.server import configure_logging

from .body import MULTIPART_OVERHEAD, read_image_body
from .fields import parse_fields

log = logging.getLogger(__name__)


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def create_app(settings: Settings | None = None, *, blobs: BlobStore | None = None,
               metadata: MetadataClient | None = None) -> Flask:
    settings = settings or Settings.from_env()
    # gunicorn configures only its own loggers; a no-op where logging is set up already.
    configure_logging(settings.log_level)
    blobs = create_blob_store(settings.blob_url) if blobs is None else blobs
    if metadata is None:
        if not settings.metadata_url:
            raise RuntimeError("METADATA_URL must be set for a standalone upload service")
        metadata = MetadataClient.over_http(settings.metadata_url, settings.internal_token)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + MULTIPART_OVERHEAD
    app.extensions["onepic"] = {"settings": settings, "blobs": blobs, "metadata": metadata}
    web.install(app, "upload", checks={"blob_store": blobs.ping, "metadata": metadata.ping})

    @app.post("/v1/photos")
    def create_photo():
        token = _bearer()
        try:
            user = metadata.authenticate(token) if token else None
        except MetadataUnavailable:
            raise web.ApiError(503, "unavailable", "Accounts are unavailable; try again.")
        if user is None:
            raise web.ApiError(401, "unauthorized", "Send a valid 'Authorization: Bearer' token.")

        data, form = read_image_body(request, settings.max_upload_bytes)
        fields = parse_fields(form)
        if not data:
            raise web.ApiError(422, "empty_file", "The uploaded file is empty.")
        try:
            info = probe(data, max_pixels=settings.max_pixels, max_frames=settings.max_frames)
        except ImageRejected as e:
            raise web.ApiError(e.status, e.code, e.message) from None

        sha256 = hashlib.sha256(data).hexdigest()
        key = original_key(sha256)
        if not blobs.exists(key):
            blobs.put(key, data, CONTENT_TYPES[info.format])
        status, body = metadata.create_photo({
            "user_id": user["user_id"], "sha256": sha256, "format": info.format,
            "width": info.width, "height": info.height, "bytes": len(data),
            "alpha": info.alpha, "frames": info.frames, **fields,
        })
        return jsonify(body), status

    return app
