"""The upload service: the public write path (`POST /v1/photos`, and the presigned direct
uploads of `/v1/uploads`, in direct.py).

Authenticate first (no body read for a stranger), then stream the body under the byte cap,
sniff and probe the header (format, pixels, frames), hash, store the original under its
content address, and record the photo through metadata's internal API.

A file refused on admission (401, 413, 415, 422 on the fields or the image) stores nothing:
every check runs before the first put. A backend that is down answers 503 (shared/web.py).
If metadata fails *after* the put, the content-addressed original stays in the blob store
with no photo row; it is not deleted here, because another photo may share those bytes and
a retry of the same upload reuses the object."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request

from shared import web
from shared.blobstore import BlobStore, create_blob_store
from shared.clientaddr import client_address
from shared.config import Settings
from shared.internal import MetadataClient
from shared.ratelimit import Limiter
from shared.server import configure_logging
from shared.uploads import MULTIPART_OVERHEAD

from . import direct, handoff
from .admission import admit, authenticate, check_image
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

    def limit_uploads(user: dict) -> None:
        """Uploads per account and per client address (429 past either); a direct upload
        counts when its ticket is asked for."""
        web.rate_limit(limiter, ("uploads", user["user_id"]),
                       ("uploads_addr", client_address(request.environ,
                                                       settings.trusted_proxies)))

    @app.post("/v1/photos")
    def create_photo():
        # MetadataUnavailable here (and from the blob store or create_photo below) is a 503.
        user = authenticate(request, metadata)
        limit_uploads(user)  # before the body is read: a refused upload costs us no bytes
        data, form = read_image_body(request, settings.max_upload_bytes)
        left = user.get("quota_left")
        if left is not None and (left["photos"] < 1 or left["bytes"] < len(data)):
            # Metadata checks again when it records the photo (two uploads can race); this
            # early answer keeps a refused file out of the blob store.
            raise web.ApiError(403, "quota_exceeded",
                               "This account has no room for this photo; delete some first.")
        fields = parse_fields(form)
        info = check_image(data, settings)
        status, body = admit(data, info, user, fields, blobs, metadata)
        return jsonify(body), status

    app.register_blueprint(direct.blueprint(settings, blobs, metadata, limit_uploads))
    # The Ingress sends GET /v1/photos here too: metadata's, handed on (handoff.py).
    handoff.install(app, settings.metadata_public_url)
    return app
