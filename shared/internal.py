"""Client of metadata's internal API (/internal/…), used by upload and render.

Over HTTP between processes; in standalone mode the same requests go straight into the
metadata WSGI app in-process (werkzeug's test client: no socket), so both modes run the same
metadata code. Every call carries the service token in `X-Internal-Token`.

Endpoints (all JSON, served by services/metadata):
- GET /internal/ping → 200 {"status": "ok"}: metadata is up *and* accepts our token (the
  readiness check of upload and render).
- POST /internal/auth {"token": <user bearer token>} → 200 {"user_id", "username",
  "quota_left": {"photos", "bytes"}} | 401 (unknown, revoked or expired token)
- POST /internal/photos {"user_id", "sha256", "format", "width", "height", "bytes", "alpha",
  "frames", "alt", "rating", "activate"} → 201 photo | 200 photo (same user, same bytes) |
  4xx error. The original must already be in the blob store. With "upload_id", that upload
  ticket is finished in the same transaction; "source_id" (one of the user's photos) makes
  it an edit of that photo.
- GET /internal/photos/<id>?user_id=… → 200 photo (the public shape) | 404.
- POST /internal/uploads {"user_id", "content_type", "bytes"} → 201 ticket
  {"id", "user_id", "key", "content_type", "bytes", "expires_at"}; GET
  /internal/uploads/<id>?user_id=… → 200 ticket | 404 (none of that user's);
  DELETE /internal/uploads/<id> → 204.
- GET /internal/read-model/<kind>/<name> (kind: user | photo | email) → 200 the read-model
  entry (see shared/readmodel.py), also written back to the cache; MISSING for none.

Every endpoint answers 403 when the service token is wrong. That is a deployment error
(INTERNAL_TOKEN differs between the services), not an answer about a user, so the client
raises MetadataUnavailable for it, as for a 5xx, an unreachable service or a body that is
not JSON: upload answers 503 instead of "401 unknown token", and /readyz fails.
"""
from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from shared.sockets import readable

TOKEN_HEADER = "X-Internal-Token"  # noqa: S105 - a header name, not a secret


class MetadataUnavailable(RuntimeError):
    """The metadata service did not answer usably (down, 5xx, token refused, not JSON)."""


def _checked(status: int) -> int:
    if status == 403:
        # Name the setting, never the token.
        raise MetadataUnavailable("metadata refused the service token: INTERNAL_TOKEN must be "
                                  "the same for every service")
    if status >= 500:
        raise MetadataUnavailable(f"metadata answered {status}")
    return status


class MetadataClient:
    def __init__(self, call, close=None):
        self._call = call  # (method, path, json) -> (status, body)
        self._close = close

    def close(self) -> None:
        """Close the connections kept for later calls (over HTTP); the client stays usable."""
        if self._close is not None:
            self._close()

    @classmethod
    def over_http(cls, base_url: str, token: str, timeout: float = 5.0) -> MetadataClient:
        pool = _ConnectionPool(base_url, timeout)
        headers = {TOKEN_HEADER: token, "Accept": "application/json"}

        def call(method: str, path: str, body: Any = None):
            try:
                status, data = pool.request(method, path, body, headers)
                status = _checked(status)
                return status, (json.loads(data) if data else None)
            except (OSError, http.client.HTTPException, ValueError) as e:  # JSON errors too
                raise MetadataUnavailable(f"metadata {method} {path}: {type(e).__name__}") from e

        return cls(call, pool.close)

    @classmethod
    def in_process(cls, wsgi_app, token: str) -> MetadataClient:
        from werkzeug.test import Client

        client = Client(wsgi_app)

        def call(method: str, path: str, body: Any = None):
            r = client.open(path, method=method, json=body, headers={TOKEN_HEADER: token})
            status = _checked(r.status_code)
            data = r.get_json(silent=True)
            if data is None and r.data:
                raise MetadataUnavailable(f"metadata {method} {path}: the answer is not JSON")
            return status, data

        return cls(call)

    def authenticate(self, user_token: str) -> dict | None:
        status, body = self._call("POST", "/internal/auth", {"token": user_token})
        return body if status == 200 else None

    def create_photo(self, payload: dict) -> tuple[int, dict]:
        return self._call("POST", "/internal/photos", payload)

    def photo(self, photo_id: str, user_id: str) -> dict | None:
        """The user's photo (the public shape), or None when they have none of that id."""
        from urllib.parse import quote, urlencode

        status, body = self._call(
            "GET", f"/internal/photos/{quote(photo_id, safe='')}?{urlencode({'user_id': user_id})}")
        return body if status == 200 else None

    def create_upload(self, user_id: str, content_type: str, size: int) -> dict:
        status, body = self._call("POST", "/internal/uploads", {
            "user_id": user_id, "content_type": content_type, "bytes": size})
        if status != 201:
            raise MetadataUnavailable(f"upload ticket answered {status}")
        return body

    def upload(self, ticket_id: str, user_id: str) -> dict | None:
        """The user's ticket, or None when they have none of that id."""
        from urllib.parse import quote, urlencode

        status, body = self._call(
            "GET", f"/internal/uploads/{quote(ticket_id, safe='')}?{urlencode({'user_id': user_id})}")
        return body if status == 200 else None

    def finish_upload(self, ticket_id: str) -> None:
        from urllib.parse import quote

        self._call("DELETE", f"/internal/uploads/{quote(ticket_id, safe='')}")

    def resolve(self, kind: str, name: str) -> dict:
        from urllib.parse import quote

        status, body = self._call("GET", f"/internal/read-model/{kind}/{quote(name, safe='')}")
        if status != 200:
            raise MetadataUnavailable(f"read-model lookup answered {status}")
        return body

    def ping(self) -> None:
        status, _ = self._call("GET", "/internal/ping")
        if status != 200:
            raise MetadataUnavailable(f"metadata /internal/ping answered {status}")


class _ConnectionPool:
    """Keep-alive HTTP/1.1 connections to metadata, one per calling thread at a time.

    http.client, not requests: upload makes two of these calls per photo, and requests'
    machinery (sessions, adapters, proxy look-ups in the environment, urllib3's pool) cost
    about three times the CPU of the exchange itself (docs/decisions/0068). A kept connection
    the server closed while idle (gunicorn's keep-alive timeout) is noticed before it is
    reused (its socket is readable) and replaced, as urllib3 does; nothing is retried."""

    def __init__(self, base_url: str, timeout: float, keep: int = 16):
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("METADATA_URL must be an http:// or https:// URL")
        self._conn_class = (http.client.HTTPSConnection if parts.scheme == "https"
                            else http.client.HTTPConnection)
        self._host, self._port = parts.hostname, parts.port
        self._prefix = parts.path
        self._timeout, self._keep = timeout, keep
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _take(self) -> http.client.HTTPConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._conn_class(self._host, self._port, timeout=self._timeout)
            if conn.sock is not None and not readable(conn.sock):
                return conn
            conn.close()  # closed by the server meanwhile (or junk arrived): a fresh one

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def request(self, method: str, path: str, body: Any, headers: dict) -> tuple[int, bytes]:
        payload = None
        sent = headers
        if body is not None:
            payload = json.dumps(body).encode()
            sent = {**headers, "Content-Type": "application/json"}
        conn = self._take()
        try:
            conn.request(method, self._prefix + path, body=payload, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
        except BaseException:
            conn.close()
            raise
        if answer.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return answer.status, data
