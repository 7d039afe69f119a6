"""Presigned direct uploads (API.md, Photos): the client asks for a ticket, sends the bytes
straight to the object store with the signed form, then asks us to complete it.

- `POST /v1/uploads {"content_type", "bytes"}` → 201 {"id", "url", "fields", "expires_at"}:
  a form POST the store accepts only with that Content-Type and at most that many bytes,
  until the ticket expires (UPLOAD_TICKET_TTL). With a store that cannot sign one (files),
  the URL is `/v1/uploads/form` here, which checks the same policy (signing.py).
- `POST /v1/uploads/<id>/complete` {"alt"?, "rating"?, "activate"?, "expires_in"? |
  "expires_at"?} → the same admission as
  `POST /v1/photos` (admission.py) on the bytes the store holds; the waiting object is
  deleted whatever the outcome, the ticket with it.
Tickets never completed are swept with their objects (services/metadata/uploads/sweep.py).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from shared.blobstore import BlobNotFound, BlobStore
from shared.config import Settings
from shared.errors import ApiError
from shared.images import CONTENT_TYPES
from shared.internal import MetadataClient
from shared.photos import whole_number

from .admission import admit, authenticate, check_image
from .body import read_image_body
from .fields import parse_fields
from .signing import Signer

FORM_PATH = "/v1/uploads/form"


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "Send a JSON object.")
    return body


def _completion_fields(body: dict) -> dict:
    """The optional fields of POST /v1/photos, as JSON: strings, activate a boolean,
    expires_in a number (parse_fields checks the values as for an upload's form)."""
    form = {}
    for name, kind in (("alt", str), ("rating", str), ("expires_at", str), ("activate", bool),
                       ("expires_in", int)):
        if name not in body:
            continue
        value = whole_number(body[name]) if kind is int else body[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ApiError(422, f"invalid_{name}", f"{name} must be a {kind.__name__}.")
        form[name] = ("true" if value else "false") if kind is bool else value
    return parse_fields(form)


def _seconds_left(expires_at: str) -> float:
    return (datetime.fromisoformat(expires_at) - datetime.now(UTC)).total_seconds()


def blueprint(settings: Settings, blobs: BlobStore, metadata: MetadataClient,
              limit_uploads: Callable[[dict], None]) -> Blueprint:
    bp = Blueprint("upload_direct", __name__)
    signer = Signer(settings.internal_token)

    @bp.post("/v1/uploads")
    def create_upload():
        user = authenticate(request, metadata)
        limit_uploads(user)
        body = _json_object()
        content_type, size = body.get("content_type"), body.get("bytes")
        if content_type not in CONTENT_TYPES.values():
            raise ApiError(415, "unsupported_media_type",
                           "content_type must be image/jpeg, image/png, image/webp or image/gif.")
        size = whole_number(size)
        if size is None or size < 1:
            raise ApiError(422, "invalid_bytes", "bytes must be the file's size, a positive integer.")
        if size > settings.max_upload_bytes:
            raise ApiError(413, "payload_too_large",
                           f"The upload is larger than {settings.max_upload_bytes} bytes.")
        ticket = metadata.create_upload(user["user_id"], content_type, size)
        ttl = max(1, int(_seconds_left(ticket["expires_at"])))
        post = (blobs.presigned_post(ticket["key"], content_type, size, ttl)
                or signer.post(settings.origin + FORM_PATH, ticket["key"], content_type, size, ttl))
        return jsonify({"id": ticket["id"], **post, "expires_at": ticket["expires_at"]}), 201

    @bp.post(FORM_PATH)
    def receive_form():
        """Standalone's stand-in for the object store's form POST: 204 like S3."""
        if request.mimetype != "multipart/form-data":
            raise ApiError(415, "unsupported_media_type", "Send the signed form as multipart/form-data.")
        data, form = read_image_body(request, settings.max_upload_bytes)
        terms = signer.check(form)
        if len(data) > terms["max_bytes"]:
            raise ApiError(413, "payload_too_large",
                           f"The upload is larger than the {terms['max_bytes']} bytes declared.")
        if not data:
            raise ApiError(400, "empty_file", "The file is empty.")
        blobs.put(terms["key"], data, terms["content_type"])
        return "", 204

    @bp.post("/v1/uploads/<upload_id>/complete")
    def complete(upload_id: str):
        user = authenticate(request, metadata)
        fields = _completion_fields(_json_object() if request.get_data() else {})
        ticket = metadata.upload(upload_id, user["user_id"])
        if ticket is None:
            raise ApiError(404, "upload_not_found", "You have no upload with that id.")

        def discard() -> None:
            blobs.delete(ticket["key"])
            metadata.finish_upload(upload_id)

        if _seconds_left(ticket["expires_at"]) < 0:
            discard()
            raise ApiError(410, "upload_expired", "This upload has expired; ask for a new one.")
        try:
            data = blobs.get(ticket["key"])
        except BlobNotFound:
            raise ApiError(409, "upload_not_received",
                           "Nothing has been uploaded with this ticket yet.") from None
        if len(data) > ticket["bytes"]:  # should the store not have enforced the policy
            discard()
            raise ApiError(413, "payload_too_large",
                           f"The upload is larger than the {ticket['bytes']} bytes declared.")
        try:
            info = check_image(data, settings)
        except ApiError:
            discard()
            raise
        status, photo = admit(data, info, user, fields, blobs, metadata, upload_id=upload_id)
        blobs.delete(ticket["key"])
        return jsonify(photo), status

    return bp
