"""The local gateway routes like the Ingress: uploads to upload, /v1 to metadata, the rest
to render, never /internal. Upstreams here are real HTTP servers on loopback that echo who
answered."""
import json
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from werkzeug.test import Client

from services.gateway.proxy import Gateway


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _echo(name):
    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        payload = json.dumps({"service": name, "path": environ["PATH_INFO"],
                              "query": environ.get("QUERY_STRING", ""),
                              "auth": environ.get("HTTP_AUTHORIZATION"),
                              "xff": environ.get("HTTP_X_FORWARDED_FOR"),
                              "body": len(body)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("ETag", '"e1"'),
                                ("Content-Length", str(len(payload)))])
        return [payload]
    return app


@pytest.fixture(scope="module")
def gateway():
    servers, urls = [], {}
    for name in ("upload", "metadata", "render"):
        srv = make_server("127.0.0.1", 0, _echo(name), handler_class=_Quiet)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        urls[name] = f"http://127.0.0.1:{srv.server_port}"
    proxy = Gateway(urls)
    yield Client(proxy)
    proxy.session.close()  # its pooled upstream connections
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("method,path,service", [
    ("POST", "/v1/photos", "upload"),
    ("GET", "/v1/photos", "metadata"),
    ("POST", "/v1/users", "metadata"),
    ("GET", "/v1/me", "metadata"),
    ("GET", "/arpit", "render"),
    ("GET", "/avatar/abc", "render"),
    ("GET", "/i/xyz", "render"),
])
def test_routes_like_the_ingress(gateway, method, path, service):
    r = gateway.open(path + "?s=64", method=method, data=b"12345",
                     headers={"Authorization": "Bearer t"})
    body = r.get_json()
    assert (body["service"], body["path"], body["query"]) == (service, path, "s=64")
    assert body["auth"] == "Bearer t"
    assert r.headers["ETag"] == '"e1"'
    if method == "POST":
        assert body["body"] == 5


def test_internal_is_never_routed(gateway):
    r = gateway.get("/internal/auth")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_head_keeps_the_upstream_length(gateway):
    r = gateway.head("/arpit")
    assert r.status_code == 200 and r.data == b""
    assert int(r.headers["Content-Length"]) > 0


def test_readyz_reports_a_dead_upstream():
    gw = Client(Gateway({"upload": "http://127.0.0.1:9", "metadata": "http://127.0.0.1:9",
                         "render": "http://127.0.0.1:9"}))
    r = gw.get("/readyz")
    assert r.status_code == 503
    assert {f["service"] for f in r.get_json()["failed"]} == {"upload", "metadata", "render"}
    assert gw.get("/arpit").status_code == 502


def test_a_declared_body_over_the_limit_is_refused_unread():
    gw = Client(Gateway({"upload": "http://127.0.0.1:9", "metadata": "http://127.0.0.1:9",
                         "render": "http://127.0.0.1:9"}, max_body=10))
    r = gw.post("/v1/photos", data=b"x" * 11)
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("path", [
    "/v1/../internal/auth", "/v1/%2e%2e/internal/auth", "/v1/%2E%2E/internal/auth",
    "/v1/.%2F..%2Finternal/auth", "/v1/..//internal//auth", "/./internal/read-model/user/x",
    "/arpit/../../internal/photos",
])
def test_paths_that_normalise_into_internal_are_refused(gateway, path):
    # requests (and many servers) collapse dot segments: routing on the raw path would send
    # these to metadata, which would then serve /internal/auth.
    for method in ("GET", "POST"):
        r = gateway.open(path, method=method, json={"token": "t"})
        assert r.status_code == 404, (method, path, r.data)
        assert r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("raw,service,forwarded", [
    ("/v1/me/../photos", "metadata", "/v1/photos"),
    ("/x/../v1/me", "metadata", "/v1/me"),
    ("/v1//me", "metadata", "/v1/me"),
    ("/v1/../arpit", "render", "/arpit"),
    ("/avatar/./abc/", "render", "/avatar/abc/"),
])
def test_routes_and_forwards_the_normalised_path(gateway, raw, service, forwarded):
    body = gateway.get(raw).get_json()
    assert (body["service"], body["path"]) == (service, forwarded)


def test_an_encoded_question_mark_in_the_path_stays_in_the_path(gateway):
    r = gateway.open("/v1/me/emails/a%3Fb%23c%25d@example.com?x=1", method="PUT",
                     json={"photo_id": None})
    body = r.get_json()
    assert body["path"] == "/v1/me/emails/a?b#c%d@example.com"
    assert body["query"] == "x=1"


def test_non_ascii_paths_reach_the_upstream_byte_for_byte(gateway):
    body = gateway.get("/%C3%BCser").get_json()
    # WSGI servers hand the path's bytes over decoded as latin-1 (PEP 3333).
    assert body["path"] == "/üser".encode().decode("latin-1")


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1_0", "²", "1.5"])
def test_a_content_length_that_is_not_a_number_is_400(gateway, length):
    r = gateway.post("/v1/users", data=b"{}", environ_overrides={"CONTENT_LENGTH": length})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_request"


def test_the_upstream_pool_holds_a_connection_per_serving_thread():
    gw = Gateway({"render": "http://127.0.0.1:9"}, pool_size=32)
    for url in ("http://127.0.0.1:9/", "https://example.test/"):
        assert gw.session.get_adapter(url)._pool_maxsize == 32
