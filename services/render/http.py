"""Small HTTP pieces of the plain-WSGI render app: status lines, JSON errors, ETags."""
from __future__ import annotations

import hashlib
import json
from http import HTTPStatus

STATUS = {s.value: f"{s.value} {s.phrase}" for s in HTTPStatus}


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: list | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or []


def json_body(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def error(status: int, code: str, message: str) -> tuple[int, list, bytes]:
    body = json_body({"error": {"code": code, "message": message}})
    return status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*"),
                    ("X-Content-Type-Options", "nosniff")], body


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
