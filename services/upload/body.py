"""Reading the upload body under the byte cap.

Werkzeug enforces MAX_CONTENT_LENGTH on the input stream itself (also for chunked bodies),
so an oversized body fails with 413 as soon as the cap is crossed, without being buffered
whole. Multipart parts are spooled by werkzeug; we then read the file part with the same
cap."""
from __future__ import annotations

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from shared.web import ApiError

# Room for multipart boundaries and the small text fields around the file.
MULTIPART_OVERHEAD = 64 * 1024
_CHUNK = 256 * 1024


def _too_large(cap: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The upload is larger than {cap} bytes.")


def _read_capped(stream, cap: int) -> bytes:
    parts, total = [], 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > cap:
            raise _too_large(cap)
        parts.append(chunk)


def read_image_body(request: Request, cap: int) -> tuple[bytes, dict]:
    """The uploaded file's bytes and the form fields (empty for a raw body)."""
    ctype = request.mimetype or ""
    try:
        if ctype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise ApiError(400, "missing_file", "Send the picture in the multipart field 'file'.")
            return _read_capped(upload.stream, cap), request.form
        if ctype.startswith("image/") or ctype == "application/octet-stream":
            return _read_capped(request.stream, cap), request.args
    except RequestEntityTooLarge:
        raise _too_large(cap) from None
    raise ApiError(415, "unsupported_media_type",
                   "Send multipart/form-data with a 'file' field, or a raw image/* body.")
