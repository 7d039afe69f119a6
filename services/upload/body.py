"""Reading the upload body under the byte cap, without ever reading far past it.

The cap is set on the request before its stream is first touched, so werkzeug applies it to
the WSGI input itself:
- a Content-Length above the limit is refused with 413 before one body byte is read;
- a chunked body (or one that lies about its length) is read through werkzeug's
  LimitedStream, which raises 413 once the limit is crossed, so at most `limit` bytes are
  ever pulled from the socket (gunicorn sets `wsgi.input_terminated`, which is what lets
  werkzeug stream chunked bodies at all).
The limit is cap + 1: werkzeug's maximum-limited stream raises as soon as a read is
*attempted* at the limit, so a body of exactly `cap` bytes would otherwise be refused.

Multipart bodies get room for boundaries and the small text fields; werkzeug spools the file
part (memory up to 500 KB, then a temporary file) and we read it back under the same cap.
"""
from __future__ import annotations

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from shared.errors import ApiError
from shared.uploads import MULTIPART_OVERHEAD

# A handful of parts is all a client needs (file, alt, rating, activate). The per-field
# memory limit stays at Flask's 500 KB: werkzeug checks it against every 64 KB chunk it
# reads, file parts included, so anything under that refuses every upload.
MAX_FORM_PARTS = 16
_CHUNK = 256 * 1024


def _too_large(cap: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The upload is larger than {cap} bytes.")


def _read_capped(stream, cap: int) -> bytes:
    parts, total = [], 0
    while True:
        chunk = stream.read(min(_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > cap:
            raise _too_large(cap)
        parts.append(chunk)


def read_image_body(request: Request, cap: int) -> tuple[bytes, dict]:
    """The uploaded file's bytes and the form fields (the query string for a raw body).

    Must run before anything else touches request.stream, request.form or request.files."""
    ctype = request.mimetype or ""
    try:
        if ctype == "multipart/form-data":
            request.max_content_length = cap + MULTIPART_OVERHEAD + 1
            request.max_form_parts = MAX_FORM_PARTS
            upload = request.files.get("file")
            if upload is None:
                raise ApiError(400, "missing_file", "Send the picture in the multipart field 'file'.")
            return _read_capped(upload.stream, cap), request.form
        if ctype.startswith("image/") or ctype == "application/octet-stream":
            request.max_content_length = cap + 1
            return _read_capped(request.stream, cap), request.args
    except RequestEntityTooLarge:
        raise _too_large(cap) from None
    raise ApiError(415, "unsupported_media_type",
                   "Send multipart/form-data with a 'file' field, or a raw image/* body.")
