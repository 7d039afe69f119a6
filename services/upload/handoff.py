"""Requests that reach upload but are metadata's, handed on to metadata's public API.

A Kubernetes Ingress routes by path only, so `/v1/photos` (Exact) reaches upload whatever the
method, although the routing table (shared/routing.py) gives upload only its POST: GET
/v1/photos, the photo list, is metadata's. `make up`'s nginx and standalone's origin route by
method, and upload never sees those requests there. Through the Ingress upload passes them on
(docs/decisions/0043), as a deliberately small reverse proxy:

- only the (method, path) pairs that a method-blind front door sends to upload and the table
  gives to metadata (`shared.routing.method_blind_gaps`); nothing else is ever forwarded;
- method, path, query string and body (at most BODY_BYTES) as received; every end-to-end
  header as received (Authorization, the session cookie and X-CSRF-Token, Accept…, Host, so
  metadata answers as it would have directly); hop-by-hop headers (RFC 9110 §7.6.1, and
  whatever Connection names) dropped both ways; the peer appended to X-Forwarded-For, as
  every proxy does (metadata believes it from TRUSTED_PROXIES only); X-Real-IP as received;
- metadata's answer passed back as it is (its own 4xx and 503 included, bodies not decoded);
- metadata not reached in time (down, refused, TIMEOUT passed) → MetadataUnavailable, which
  shared/web.py answers 503 with Retry-After.

METADATA_PUBLIC_URL names metadata's public API; empty (standalone) means no handoff, and
upload answers those methods 405 as any service does for a method it lacks.
"""
from __future__ import annotations

import http.cookiejar
import logging
import threading

import requests
import urllib3
from flask import Flask, Response, request

from shared.internal import MetadataUnavailable
from shared.routing import METADATA, UPLOAD, method_blind_gaps

log = logging.getLogger(__name__)

# What the handed-on methods carry is small (a list's query string; a JSON body for a method
# metadata refuses anyway): anything larger is refused (413) before it is read.
BODY_BYTES = 64 * 1024
# metadata's answers here are pages of 20 photos (a few KB); a larger one is not its answer.
ANSWER_BYTES = 4 * 1024 * 1024
# (connect, read) seconds: a metadata pod that is gone refuses or times out fast; a list is
# one indexed query, so a read this slow means it is stuck, and the client should retry.
TIMEOUT = (2.0, 15.0)

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate",
                        "proxy-authorization", "proxy-connection", "te", "trailer",
                        "transfer-encoding", "upgrade"})
# Set again on our own answer by werkzeug and the WSGI server; recomputed for our request.
_OURS = frozenset({"content-length", "date", "server"})


def handed_on() -> frozenset[tuple[str, str]]:
    """(method, path) pairs upload passes to metadata."""
    return frozenset((method, path) for method, path, receiver, owner in method_blind_gaps()
                     if receiver == UPLOAD and owner == METADATA)


def _dropped(connection_values: list[str]) -> set[str]:
    """Hop-by-hop headers, with those a Connection header names (RFC 9110 §7.6.1)."""
    named = {t.strip().lower() for v in connection_values for t in v.split(",") if t.strip()}
    return HOP_BY_HOP | named


def _request_headers() -> dict[str, str]:
    # Expect: 100-continue was for us (the WSGI server); the body is sent whole, at once.
    drop = _dropped(request.headers.getlist("Connection")) | _OURS | {"x-forwarded-for",
                                                                      "expect"}
    headers = {k: v for k, v in request.headers.items() if k.lower() not in drop}
    peer = request.remote_addr or "unknown"
    prior = request.headers.get("X-Forwarded-For", "").strip()
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    return headers


def _answer(upstream: requests.Response, method: str) -> Response:
    raw = upstream.raw.headers  # urllib3's: a repeated header (Set-Cookie) stays repeated
    drop = _dropped(raw.getlist("Connection")) | _OURS
    body = b"" if method == "HEAD" else upstream.raw.read(ANSWER_BYTES + 1, decode_content=False)
    if len(body) > ANSWER_BYTES:
        raise MetadataUnavailable(f"metadata's answer to {method} {request.path} is over "
                                  f"{ANSWER_BYTES} bytes")
    resp = Response(body, status=upstream.status_code,
                    headers=[(k, v) for k, v in raw.items() if k.lower() not in drop])
    if "Content-Type" not in raw:  # werkzeug would add text/html; metadata named none
        del resp.headers["Content-Type"]
    if method == "HEAD" and "Content-Length" in raw:
        resp.headers["Content-Length"] = raw["Content-Length"]  # what GET would carry
    return resp


_local = threading.local()


def _session() -> requests.Session:
    """This request thread's session to metadata: its own keep-alive connections, as requests
    does not promise a Session is safe across threads (upload runs gthread workers), and no
    cookie jar: a Set-Cookie metadata answers is the caller's, passed back to them, and a jar
    would send it with the next caller's request that has no Cookie of its own."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.headers.clear()  # no default User-Agent, Accept or Accept-Encoding of our own
        session.trust_env = False  # never a proxy from the environment between two pods
        session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def install(app: Flask, base_url: str) -> None:
    """Hand metadata's requests on to `base_url` (metadata's public API); nothing when empty."""
    if not base_url:
        return
    base = base_url.rstrip("/")
    pairs = handed_on()

    @app.before_request
    def _hand_on():
        # Before Flask's routing answers 405 (or its own OPTIONS): None lets upload answer.
        if (request.method, request.path) not in pairs:
            return None
        request.max_content_length = BODY_BYTES  # 413 above it, before reading
        body = request.get_data(cache=False)
        query = request.query_string.decode("latin-1")
        url = base + request.path + (f"?{query}" if query else "")
        try:
            upstream = _session().request(request.method, url, data=body or None,
                                       headers=_request_headers(), timeout=TIMEOUT,
                                       allow_redirects=False, stream=True)
            try:
                return _answer(upstream, request.method)
            finally:
                upstream.close()
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
            raise MetadataUnavailable(f"metadata {request.method} {request.path}: "
                                      f"{type(e).__name__}") from e
