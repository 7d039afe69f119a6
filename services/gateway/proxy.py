"""The local gateway of `make up`: routes public paths to the upload, metadata and render
processes the way the Kubernetes Ingress does (shared/routing.py), and never exposes
/internal. It is a development convenience, not a production proxy."""
from __future__ import annotations

import json

import requests

from shared import metrics
from shared.routing import service_for

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
    headers.setdefault("X-Forwarded-For", environ.get("REMOTE_ADDR", ""))
    return headers


def _body(environ):
    stream, length = environ["wsgi.input"], environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        return iter(lambda: stream.read(64 * 1024), b"")
    return None


class Gateway:
    def __init__(self, upstreams: dict[str, str], max_body: int | None = None):
        self.upstreams = {name: url.rstrip("/") for name, url in upstreams.items()}
        # A declared body above this is refused here, before it is read into memory, as an
        # Ingress's body-size limit would; the upload service applies the exact cap.
        self.max_body = max_body
        self.session = requests.Session()

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
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
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
        if self.max_body is not None and int(environ.get("CONTENT_LENGTH") or 0) > self.max_body:
            return self._send(start_response, "413 Request Entity Too Large",
                              b'{"error":{"code":"payload_too_large",'
                              b'"message":"The request body is too large."}}')
        url = self.upstreams[service] + path
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        try:
            r = self.session.request(method, url, headers=_request_headers(environ),
                                     data=_body(environ), stream=True, allow_redirects=False,
                                     timeout=60)
        except requests.RequestException:
            return self._send(start_response, "502 Bad Gateway",
                              b'{"error":{"code":"bad_gateway","message":"Upstream unavailable."}}')
        headers = [(k, v) for k, v in r.headers.items() if k.lower() not in _HOP]
        content = r.raw.read(decode_content=False)
        # HEAD has no body here, so the upstream's length is the one that describes it.
        length = r.headers.get("Content-Length") if method == "HEAD" else str(len(content))
        if length is not None:
            headers.append(("Content-Length", length))
        start_response(f"{r.status_code} {r.reason}", headers)
        return [] if method == "HEAD" else [content]
