"""services/upload/handoff.py: what upload hands on to metadata's public API when a front door
that routes by path only (the Kubernetes Ingress) sends it GET /v1/photos — against a real
loopback server that records what it received and answers with headers of its choosing."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from services.upload import handoff
from services.upload.app import create_app
from shared.config import Settings
from tests.ports import free_port
from tests.unit.upload.fakes import CAP, TOKEN, MemoryBlobs, RecordingMetadata


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[list] = []  # what the fixture hands the test

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append({"method": self.command, "target": self.path,
                          "headers": list(self.headers.items()), "body": body})
        payload = json.dumps({"photos": [], "next_cursor": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", '"page-1"')
        self.send_header("Set-Cookie", "a=1; Path=/")
        self.send_header("Set-Cookie", "b=2; Path=/")
        # Hop-by-hop, for this connection only: must not reach upload's client.
        self.send_header("Connection", "keep-alive, X-Hop")
        self.send_header("X-Hop", "for the next hop only")
        self.send_header("Keep-Alive", "timeout=5")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _answer  # noqa: N815


@pytest.fixture
def upstream():
    _Upstream.seen = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_port}", _Upstream.seen
    srv.shutdown()
    srv.server_close()


def _upload(metadata_public_url: str):
    settings = Settings(max_upload_bytes=CAP, metadata_public_url=metadata_public_url)
    # No cookie jar of the test client's own: the Cookie header is sent as written.
    return create_app(settings, blobs=MemoryBlobs(),
                      metadata=RecordingMetadata()).test_client(use_cookies=False)


def test_the_list_request_goes_on_as_it_came_with_the_auth_and_the_cursor(upstream):
    url, seen = upstream
    client = _upload(url)
    r = client.get("/v1/photos?cursor=eyJ0IjoxfQ%3D%3D&limit=5", headers={
        "Authorization": "Bearer tok-123", "Cookie": "onepic_session=sess-9",
        "X-CSRF-Token": "csrf-1", "Accept": "application/json", "Host": "onepic.example.com",
        "X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.7",
        "Connection": "X-Secret-Hop", "X-Secret-Hop": "1", "Keep-Alive": "timeout=9",
        "TE": "trailers", "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0"},
        environ_base={"REMOTE_ADDR": "10.42.0.5"})  # the ingress controller's pod
    assert r.status_code == 200 and r.get_json() == {"photos": [], "next_cursor": None}
    (got,) = seen
    assert got["method"] == "GET"
    assert got["target"] == "/v1/photos?cursor=eyJ0IjoxfQ%3D%3D&limit=5"
    headers = {k.lower(): v for k, v in got["headers"]}
    assert headers["authorization"] == "Bearer tok-123"
    assert headers["cookie"] == "onepic_session=sess-9"
    assert headers["x-csrf-token"] == "csrf-1" and headers["accept"] == "application/json"
    assert headers["host"] == "onepic.example.com"
    # Appended, as every proxy does: metadata takes the right-most untrusted address.
    assert headers["x-forwarded-for"] == "203.0.113.7, 10.42.0.5"
    assert headers["x-real-ip"] == "203.0.113.7"
    for hop in ("x-secret-hop", "keep-alive", "te", "proxy-authorization"):
        assert hop not in headers, hop
    assert headers.get("connection", "keep-alive") == "keep-alive"  # urllib3's own, if any
    # The answer: end-to-end headers kept (both cookies), hop-by-hop ones dropped.
    assert r.headers["ETag"] == '"page-1"'
    assert r.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert "X-Hop" not in r.headers and "Keep-Alive" not in r.headers


def test_a_first_proxy_hop_starts_x_forwarded_for(upstream):
    url, seen = upstream
    _upload(url).get("/v1/photos", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    headers = {k.lower(): v for k, v in seen[0]["headers"]}
    assert headers["x-forwarded-for"] == "198.51.100.4"


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"])
def test_every_other_method_of_the_path_goes_on_too(upstream, method):
    url, seen = upstream
    r = _upload(url).open("/v1/photos", method=method, json={"x": 1}
                          if method in ("PUT", "PATCH", "DELETE") else None)
    assert r.status_code == 200
    assert [s["method"] for s in seen] == [method]
    if method == "HEAD":  # no body, but the length GET's answer would have
        assert r.data == b"" and r.headers["Content-Length"] == \
            str(len(json.dumps({"photos": [], "next_cursor": None})))
    if method == "PUT":
        assert json.loads(seen[0]["body"]) == {"x": 1}


@pytest.mark.parametrize("method,path", [("POST", "/v1/photos"), ("GET", "/v1/photos/"),
                                         ("GET", "/v1/uploads/u_1"), ("GET", "/v1/me"),
                                         ("GET", "/healthz")])
def test_nothing_else_is_handed_on(upstream, method, path):
    url, seen = upstream
    r = _upload(url).open(path, method=method, headers={"Authorization": f"Bearer {TOKEN}"})
    assert seen == []
    assert r.status_code != 200 or path == "/healthz"


def test_metadata_down_is_503_with_retry_after():
    client = _upload(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    r = client.get("/v1/photos", headers={"Authorization": "Bearer tok"})
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert r.get_json()["error"]["code"] == "unavailable"


def test_metadata_that_never_answers_is_503_after_the_timeout(monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does), never answers
    monkeypatch.setattr(handoff, "TIMEOUT", (0.5, 0.5))
    try:
        r = _upload(f"http://127.0.0.1:{silent.getsockname()[1]}").get("/v1/photos")
    finally:
        silent.close()
    assert r.status_code == 503 and r.headers["Retry-After"]


def test_a_large_body_is_refused_before_it_is_sent(upstream):
    url, seen = upstream
    r = _upload(url).put("/v1/photos", data=b"x" * (handoff.BODY_BYTES + 1),
                         content_type="application/json")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"
    assert seen == []


def test_without_a_metadata_url_upload_answers_405_naming_its_methods():
    r = _upload("").get("/v1/photos")
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"POST"}


def test_what_is_handed_on_comes_from_the_routing_table():
    assert handoff.handed_on() == {(m, "/v1/photos") for m in
                                   ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")}


def test_an_answer_without_a_content_type_gets_none_added(monkeypatch):
    class NoType(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_OPTIONS(self):
            self.send_response(204)
            self.send_header("Allow", "GET, HEAD, OPTIONS, POST")
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), NoType)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        r = _upload(f"http://127.0.0.1:{srv.server_port}").options("/v1/photos")
    finally:
        srv.shutdown()
        srv.server_close()
    assert r.status_code == 204 and "Content-Type" not in r.headers
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_a_cookie_metadata_set_for_one_caller_is_never_sent_for_the_next(upstream):
    # The upstream answers Set-Cookie a=1, b=2: that is the caller's to keep, not upload's.
    # A client-side cookie jar would attach them to the next caller's request that has no
    # Cookie header of its own (someone else's session).
    url, seen = upstream
    client = _upload(url)
    first = client.get("/v1/photos", headers={"Cookie": "onepic_session=alice",
                                              "X-CSRF-Token": "c"})
    assert first.status_code == 200
    second = client.get("/v1/photos", headers={"Authorization": "Bearer bob-token"})
    assert second.status_code == 200
    headers = {k.lower(): v for k, v in seen[1]["headers"]}
    assert "cookie" not in headers, headers


def test_each_request_thread_has_its_own_connection_to_metadata(upstream):
    # requests does not promise a Session is safe across threads; upload runs gthread workers.
    url, seen = upstream
    app_client = _upload(url)
    sessions = []  # the objects, kept alive, so two distinct ones never share an id
    real = handoff._session

    def spy():
        s = real()
        sessions.append(s)
        return s

    handoff._session = spy
    try:
        threads = [threading.Thread(target=lambda: app_client.get(
            "/v1/photos", headers={"Authorization": "Bearer t"})) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        handoff._session = real
    assert len(seen) == 3 and len({id(s) for s in sessions}) == 3
