"""`make up`'s origin: the nginx configuration generated from shared/routing.py, run by a
real nginx (Debian's nginx-light; .ci/run installs it) in front of loopback servers that echo
who answered and what they received."""
import http.client
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from deploy.local import nginx
from deploy.local import plan as local_plan
from deploy.local.plan import nginx_binary
from shared.routing import METHODS, ROUTES, path_routes, service_for
from tests.ports import free_port

CAP = 4096


def _echo(name: str):
    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            payload = json.dumps({
                "service": name, "method": self.command, "target": self.path,
                "xff": self.headers.get("X-Forwarded-For"),
                "real_ip": self.headers.get("X-Real-IP"),
                "length": self.headers.get("Content-Length"),
                "chunked": self.headers.get("Transfer-Encoding"),
                "auth": self.headers.get("Authorization"), "body": len(body)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", '"e1"')
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        # http.server's handler names.
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer  # noqa: N815
    return Echo


@pytest.fixture(scope="module")
def upstreams():
    servers, ports = [], {}
    for name in ("upload", "metadata", "render"):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), _echo(name))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        ports[name] = srv.server_port
    yield ports
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def _start(tmp_path, ports, method_blind=False) -> tuple[str, subprocess.Popen]:
    binary = nginx_binary()
    assert binary.startswith("/"), "nginx is not installed (Debian nginx-light; .ci/run installs it)"
    origin = nginx.Origin(free_port(), ports, CAP, tmp_path, tmp_path, method_blind=method_blind,
                          name="ingress" if method_blind else "nginx")
    conf = origin.write()
    log = tmp_path / "nginx.out"
    with open(log, "wb") as out:
        proc = subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp_path), "-e", "stderr"],
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{origin.port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            requests.get(base + "/healthz", timeout=1)
            return base, proc
        except requests.ConnectionError as e:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait(10)
                raise RuntimeError(f"nginx did not start: {log.read_text()}") from e
            time.sleep(0.05)


@pytest.fixture(scope="module")
def origin(tmp_path_factory, upstreams):
    base, proc = _start(tmp_path_factory.mktemp("origin"), upstreams)
    yield base
    proc.terminate()
    proc.wait(10)


def _raw(base: str, method: str, target: str, headers: dict | None = None,
         body: bytes | None = None) -> tuple[int, dict, bytes]:
    """One request with the request line exactly as written (requests would clean it)."""
    host, port = base.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None and "Transfer-Encoding" not in (headers or {}):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method,path", [
    ("POST", "/v1/photos"), ("GET", "/v1/photos"), ("PUT", "/v1/photos"),
    ("POST", "/v1/users"), ("GET", "/v1/me"), ("GET", "/v1"), ("GET", "/v1/"),
    ("PATCH", "/v1/photos/p_1"), ("POST", "/v1/photos/"), ("GET", "/arpit"),
    ("GET", "/avatar/abc"), ("GET", "/i/xyz"), ("GET", "/"), ("GET", "/v1x"),
    ("GET", "/internalx"), ("GET", "/metrics/x"), ("DELETE", "/v1/photos/p_1"),
])
def test_routes_as_the_table_does(origin, method, path):
    status, headers, body = _raw(origin, method, path + "?s=64", {"Authorization": "Bearer t"},
                                 b"12345" if method in ("POST", "PUT", "PATCH") else None)
    assert status == 200, body
    got = json.loads(body)
    assert (got["service"], got["target"]) == (service_for(method, path), path + "?s=64")
    assert got["auth"] == "Bearer t" and headers["ETag"] == '"e1"'
    if method == "POST":
        assert got["body"] == 5


@pytest.fixture(scope="module")
def ingress(tmp_path_factory, upstreams):
    """`deploy.local up` with UP_INGRESS_PORT: routing by path only, as the Ingress does."""
    base, proc = _start(tmp_path_factory.mktemp("ingress"), upstreams, method_blind=True)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", sorted({r.path for r in ROUTES if r.service} | {"/v1/me", "/x"}))
def test_the_ingress_equivalent_routes_by_path_only(ingress, method, path):
    status, _, body = _raw(ingress, method, path + "?cursor=c1", {"Authorization": "Bearer t"},
                           b"12345" if method in ("POST", "PUT", "PATCH") else None)
    assert status == 200, body
    if method == "HEAD":
        return
    got = json.loads(body)
    # What the generated Ingress does: the first route naming the path, whatever the method.
    want = next(r for r in path_routes() if r.matches("GET", path)).service
    assert (got["service"], got["method"], got["target"]) == (want, method, path + "?cursor=c1")
    if path == "/v1/photos":
        assert want == "upload"  # every method, GET included: upload hands metadata's on


@pytest.mark.parametrize("path", [
    "/internal", "/internal/auth", "/v1/../internal/auth", "/v1/%2e%2e/internal/auth",
    "/v1/%2E%2E/internal/auth", "/v1/.%2F..%2Finternal/auth", "/v1/..//internal//auth",
    "/./internal/read-model/user/x", "/%69nternal/auth", "/readyz", "/metrics",
    "/x/../metrics", "//readyz",
])
@pytest.mark.parametrize("front", ["origin", "ingress"])
def test_internal_and_operational_paths_are_never_routed(request, front, path):
    origin = request.getfixturevalue(front)
    for method in ("GET", "POST"):
        status, _, body = _raw(origin, method, path, body=b"{}" if method == "POST" else None)
        assert status in (404, 400), (method, path, status, body)
        assert json.loads(body)["error"]["code"] in ("not_found", "bad_request"), body


@pytest.mark.parametrize("raw,service,forwarded", [
    ("/v1/me/../photos", "metadata", "/v1/photos"),
    ("/x/../v1/me", "metadata", "/v1/me"),
    ("/v1//me", "metadata", "/v1/me"),
    ("/v1/../arpit", "render", "/arpit"),
    ("/avatar/./abc/", "render", "/avatar/abc/"),
    ("/v1/x/../photos", "metadata", "/v1/photos"),
])
def test_routes_and_forwards_the_normalised_path(origin, raw, service, forwarded):
    got = json.loads(_raw(origin, "GET", raw)[2])
    assert (got["service"], got["target"]) == (service, forwarded)


def test_a_post_to_photos_spelt_otherwise_still_reaches_upload(origin):
    got = json.loads(_raw(origin, "POST", "/v1/x/../photos?a=1", body=b"x")[2])
    assert (got["service"], got["target"]) == ("upload", "/v1/photos?a=1")


def test_an_encoded_question_mark_in_the_path_stays_in_the_path(origin):
    got = json.loads(_raw(origin, "PUT", "/v1/me/emails/a%3Fb%23c%25d@example.com?x=1",
                          body=b"{}")[2])
    assert got["target"] == "/v1/me/emails/a%3Fb%23c%25d@example.com?x=1"


def test_non_ascii_paths_reach_the_upstream_byte_for_byte(origin):
    assert json.loads(_raw(origin, "GET", "/%C3%BCser")[2])["target"] == "/%C3%BCser"


def test_the_client_address_is_the_peer_never_what_the_client_wrote(origin):
    # The services believe X-Forwarded-For from TRUSTED_PROXIES (nginx) only.
    for headers in ({"X-Forwarded-For": "6.6.6.6"}, {"X-Real-IP": "6.6.6.6"}, {}):
        got = json.loads(_raw(origin, "GET", "/arpit", headers)[2])
        assert got["xff"] == "127.0.0.1" and got["real_ip"] == "127.0.0.1", headers


def test_a_body_over_the_cap_is_refused_unread(origin):
    status, _, body = _raw(origin, "POST", "/v1/photos", body=b"x" * (CAP + 1))
    assert status == 413
    assert json.loads(body)["error"]["code"] == "payload_too_large"
    status, _, body = _raw(origin, "POST", "/v1/photos", body=b"x" * CAP)
    assert status == 200 and json.loads(body)["body"] == CAP


def test_a_chunked_body_is_buffered_and_sent_with_its_length(origin):
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    status, _, body = _raw(origin, "POST", "/v1/photos",
                           {"Transfer-Encoding": "chunked"}, chunked)
    got = json.loads(body)
    assert status == 200 and got["body"] == 11 and got["length"] == "11" and not got["chunked"]


def test_a_chunked_body_over_the_cap_is_refused(origin):
    chunk = b"x" * (CAP + 1)
    raw = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n"
    status, _, body = _raw(origin, "POST", "/v1/photos", {"Transfer-Encoding": "chunked"}, raw)
    assert status == 413 and json.loads(body)["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1.5"])
def test_a_content_length_that_is_not_a_number_is_400(origin, length):
    host, port = origin.rsplit("/", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("POST", "/v1/users")
    conn.putheader("Content-Length", length)
    conn.endheaders(b"{}")
    try:
        r = conn.getresponse()
        assert r.status == 400 and json.loads(r.read())["error"]["code"] == "bad_request"
    finally:
        conn.close()


def test_nginx_refusing_trace_says_which_methods_are_allowed(origin):
    # nginx answers TRACE itself; RFC 9110 wants an Allow header on every 405 (schemathesis
    # checks it), and the body keeps the API's error shape.
    r = requests.request("TRACE", origin + "/v1/me", timeout=10)
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert "TRACE" not in r.headers["Allow"]
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_head_keeps_the_upstream_length(origin):
    r = requests.head(origin + "/arpit", timeout=10)
    assert r.status_code == 200 and r.content == b""
    assert int(r.headers["Content-Length"]) > 0


def test_an_unreachable_upstream_is_503_with_retry_after(tmp_path):
    dead = {name: free_port() for name in ("upload", "metadata", "render")}
    base, proc = _start(tmp_path, dead)
    try:  # the origin's liveness is its own, whatever the upstreams do
        assert requests.get(base + "/healthz", timeout=10).json()["service"] == "origin"
        r = requests.get(base + "/arpit", timeout=10)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert r.json()["error"]["code"] == "unavailable"
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_ingress_port_adds_a_front_door_that_routes_by_path_only(tmp_path):
    plan = local_plan.build({"UP_VAR_DIR": str(tmp_path), "PORT": "9540", "UP_S3_PORT": "9550",
                             "UP_INGRESS_PORT": "9541"})
    assert plan.ingress is not None and plan.ingress.method_blind and not plan.origin.method_blind
    (proc,) = [p for p in plan.processes if p.name == "ingress"]
    assert str(plan.ingress.conf) in proc.argv and proc.ready_url.startswith("http://127.0.0.1:9541/")
    # upload can hand metadata's requests on: it is told where metadata's public API is.
    assert plan.env["METADATA_PUBLIC_URL"] == plan.urls["metadata"]
    plain = local_plan.build({"UP_VAR_DIR": str(tmp_path), "PORT": "9540", "UP_S3_PORT": "9550"})
    assert plain.ingress is None and "ingress" not in [p.name for p in plain.processes]
