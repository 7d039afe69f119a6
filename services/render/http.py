"""Small HTTP pieces of the plain-WSGI render app: status lines, errors, ETags."""
from __future__ import annotations

import hashlib
from http import HTTPStatus

from shared.errors import ApiError, error_response

STATUS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}
# On every answer, errors included: pictures are embedded cross-origin and never sniffed.
COMMON = [("X-Content-Type-Options", "nosniff"), ("Access-Control-Allow-Origin", "*")]


def error(e: ApiError) -> tuple[int, list, bytes]:
    status, headers, body = error_response(e)
    return status, headers + COMMON, body


def etag_for(key: str) -> str:
    """A strong ETag: the same key always names the same bytes."""
    return '"' + hashlib.blake2b(key.encode(), digest_size=16).hexdigest() + '"'


def none_match(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored."""
    header = header.strip()
    if header == "*":
        return True
    if etag not in header:
        return False  # cheap common case: a stale or foreign tag
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))
