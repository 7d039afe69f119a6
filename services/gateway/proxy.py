"""The local gateway of `make up`: routes public paths to the upload, metadata and render
processes the way the Kubernetes Ingress does (shared/routing.py), and never exposes
/internal. It is a development convenience, not a production proxy.

It routes and forwards the normalised path (shared/routing.py): dot segments and duplicate
slashes are resolved here, and the path is percent-encoded again on the way out, so neither
requests nor the upstream can turn `/v1/../internal/auth` into a path it never routed."""
from __future__ import annotations

import json
from http.cookiejar import DefaultCookiePolicy

import requests
from requests.adapters import HTTPAdapter

from shared import metrics
from shared.routing import encode, normalise, service_for

# Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, not forwarded.
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "host", "content-length"}


def _request_headers(environ) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
               if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    headers.pop("Host", None)
    # The front door trusts nobody in front of it: the client's own X-Forwarded-For is
    # replaced by the peer it really is, so it cannot choose its rate-limit bucket (the
    # services believe this header because the gateway is in TRUSTED_PROXIES).
    headers["X-Forwarded-For"] = environ.get("REMOTE_ADDR", "")
    return headers


def _content_length(environ) -> int | None:
    """The declared body length; None when absent, ValueError when not a number."""
    raw = (environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):  # int() would also take "-1", "+5", "1_0"
        raise ValueError(raw)
    return int(raw)


def _body(environ, length: int | None):
    stream = environ["wsgi.input"]
    if length:
        return stream.read(length)
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return iter(lambda: stream.read(64 * 1024), b"")
    return None


class Gateway:
    def __init__(self, upstreams: dict[str, str], max_body: int | None = None,
                 pool_size: int = 32):
        self.upstreams = {name: url.rstrip("/") for name, url in upstreams.items()}
        # A declared body above this is refused here, before it is read into memory, as an
        # Ingress's body-size limit would; the upload service applies the exact cap.
        self.max_body = max_body
        self.session = requests.Session()
        # A proxy keeps no cookies: a jar would store one visitor's Set-Cookie and send it
        # upstream with the next visitor's request.
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        # One pooled connection per serving thread and upstream: the default (10) made
        # threads beyond it open and throw away a connection per request.
        adapter = HTTPAdapter(pool_maxsize=pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _send(self, start_response, status: str, body: bytes, ctype="application/json"):
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
        return [body]

    def readiness(self) -> list[dict]:
        failed = []
        for name, url in self.upstreams.items():
            try:
                r = self.session.get(url + "/readyz", timeout=2)
                if r.status_code != 200:
                    failed.append({"service": name, "status": r.status_code})
            except requests.RequestException as e:
                failed.append({"service": name, "error": type(e).__name__})
        return failed

    def __call__(self, environ, start_response):
        path, method = normalise(environ.get("PATH_INFO") or "/"), environ["REQUEST_METHOD"]
        if path == "/healthz":
            return self._send(start_response, "200 OK", b'{"status":"ok","service":"gateway"}')
        if path == "/readyz":
            failed = self.readiness()
            body = json.dumps({"status": "unavailable" if failed else "ok", "failed": failed})
            return self._send(start_response, "503 Service Unavailable" if failed else "200 OK",
                              body.encode())
        if path == "/metrics":
            data, ctype = metrics.exposition()
            return self._send(start_response, "200 OK", data, ctype)
        service = service_for(method, path)
        if service is None:
            return self._send(start_response, "404 Not Found",
                              b'{"error":{"code":"not_found","message":"No such resource."}}')
        try:
            length = _content_length(environ)
        except ValueError:
            return self._send(start_response, "400 Bad Request",
                              b'{"error":{"code":"bad_request",'
                              b'"message":"Content-Length must be a number of bytes."}}')
        if self.max_body is not None and (length or 0) > self.max_body:
            return self._send(start_response, "413 Request Entity Too Large",
                              b'{"error":{"code":"payload_too_large",'
                              b'"message":"The request body is too large."}}')
        url = self.upstreams[service] + encode(path)
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        try:
            r = self.session.request(method, url, headers=_request_headers(environ),
                                     data=_body(environ, length), stream=True,
                                     allow_redirects=False, timeout=60)
        except requests.RequestException:
            return self._send(start_response, "502 Bad Gateway",
                              b'{"error":{"code":"bad_gateway","message":"Upstream unavailable."}}')
        # The raw headers: requests joins repeated ones with ", ", which breaks Set-Cookie.
        headers = [(k, v) for k, v in r.raw.headers.items() if k.lower() not in _HOP]
        content = r.raw.read(decode_content=False)
        # HEAD has no body here, so the upstream's length is the one that describes it.
        sent = r.headers.get("Content-Length") if method == "HEAD" else str(len(content))
        if sent is not None:
            headers.append(("Content-Length", sent))
        start_response(f"{r.status_code} {r.reason}", headers)
        return [] if method == "HEAD" else [content]
