"""Client of metadata's internal API (/internal/…), used by upload and render.

Over HTTP between processes; in standalone mode the same requests go straight into the
metadata WSGI app in-process (werkzeug's test client: no socket), so both modes run the same
metadata code. Every call carries the service token in `X-Internal-Token`.

Endpoints (all JSON, served by services/metadata):
- POST /internal/auth {"token": <user bearer token>} → 200 {"user_id", "username"} | 401
- POST /internal/photos {"user_id", "sha256", "format", "width", "height", "bytes", "alpha",
  "frames", "alt", "rating", "activate"} → 201 photo | 200 photo (same user, same bytes) |
  4xx error. The original must already be in the blob store.
- GET /internal/read-model/<kind>/<name> (kind: user | photo | email) → 200 the read-model
  entry (see shared/readmodel.py), also written back to the cache; MISSING for none.
"""
from __future__ import annotations

from typing import Any

import requests

TOKEN_HEADER = "X-Internal-Token"


class MetadataUnavailable(RuntimeError):
    """The metadata service did not answer."""


class MetadataClient:
    def __init__(self, call):
        self._call = call  # (method, path, json) -> (status, body)

    @classmethod
    def over_http(cls, base_url: str, token: str, timeout: float = 5.0) -> "MetadataClient":
        session = requests.Session()
        session.headers[TOKEN_HEADER] = token
        base = base_url.rstrip("/")

        def call(method: str, path: str, body: Any = None):
            try:
                r = session.request(method, base + path, json=body, timeout=timeout)
            except requests.RequestException as e:
                raise MetadataUnavailable(str(e)) from e
            if r.status_code >= 500:
                raise MetadataUnavailable(f"metadata answered {r.status_code}")
            return r.status_code, (r.json() if r.content else None)

        return cls(call)

    @classmethod
    def in_process(cls, wsgi_app, token: str) -> "MetadataClient":
        from werkzeug.test import Client

        client = Client(wsgi_app)

        def call(method: str, path: str, body: Any = None):
            r = client.open(path, method=method, json=body, headers={TOKEN_HEADER: token})
            if r.status_code >= 500:
                raise MetadataUnavailable(f"metadata answered {r.status_code}")
            return r.status_code, r.get_json(silent=True)

        return cls(call)

    def authenticate(self, user_token: str) -> dict | None:
        status, body = self._call("POST", "/internal/auth", {"token": user_token})
        return body if status == 200 else None

    def create_photo(self, payload: dict) -> tuple[int, dict]:
        return self._call("POST", "/internal/photos", payload)

    def resolve(self, kind: str, name: str) -> dict:
        from urllib.parse import quote

        status, body = self._call("GET", f"/internal/read-model/{kind}/{quote(name, safe='')}")
        if status != 200:
            raise MetadataUnavailable(f"read-model lookup answered {status}")
        return body

    def ping(self) -> None:
        self._call("GET", "/healthz")
