"""shared/internal.py against the real metadata app, in-process and over HTTP: a refused
service token, a dead or confused metadata service are MetadataUnavailable (so upload says
503 and /readyz fails), never "no such user"."""
import io
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from services.upload.app import create_app as upload_app
from shared.internal import MetadataClient, MetadataUnavailable
from tests import imagefactory as f
from tests.metadata_api import TOKEN
from tests.unit.upload.fakes import MemoryBlobs


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    servers = []

    def start(app) -> str:
        srv = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(params=["in_process", "over_http"])
def client_for(request, internal_app, serve):
    def make(token: str) -> MetadataClient:
        if request.param == "in_process":
            return MetadataClient.in_process(internal_app, token)
        return MetadataClient.over_http(serve(internal_app), token)
    return make


def test_the_right_token_pings_and_authenticates(client_for, api):
    user = api.signup("arpit")
    client = client_for(TOKEN)
    client.ping()
    assert client.authenticate(user["token"])["username"] == "arpit"
    assert client.authenticate("not-a-token") is None


def test_a_wrong_token_is_unavailable_not_an_unknown_user(client_for, api):
    user = api.signup("arpit")
    client = client_for("wrong-secret-value")
    for call in (client.ping, lambda: client.authenticate(user["token"]),
                 lambda: client.create_photo({})):
        with pytest.raises(MetadataUnavailable) as info:
            call()
        assert "INTERNAL_TOKEN" in str(info.value)
        assert "wrong-secret-value" not in str(info.value) and TOKEN not in str(info.value)


def test_upload_with_a_wrong_token_answers_503_and_is_not_ready(app, internal_app, api):
    user = api.signup("arpit")
    upload = upload_app(app.extensions["onepic_metadata"].settings, blobs=MemoryBlobs(),
                        metadata=MetadataClient.in_process(internal_app, "wrong")).test_client()
    r = upload.post("/v1/photos", data={"file": (io.BytesIO(f.solid_jpeg(8, 8)), "a.jpg")},
                    headers={"Authorization": f"Bearer {user['token']}"},
                    content_type="multipart/form-data")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    ready = upload.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["failed"] == [{"dependency": "metadata",
                                           "error": "MetadataUnavailable"}]


def _not_json(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<html>a proxy's login page</html>"]


def test_a_body_that_is_not_json_is_unavailable(serve):
    for client in (MetadataClient.over_http(serve(_not_json), TOKEN),
                   MetadataClient.in_process(_not_json, TOKEN)):
        with pytest.raises(MetadataUnavailable):
            client.authenticate("t")


def test_an_unreachable_metadata_is_unavailable():
    client = MetadataClient.over_http("http://127.0.0.1:9", TOKEN, timeout=1)
    with pytest.raises(MetadataUnavailable):
        client.ping()


class _KeepAliveServer:
    """An HTTP/1.1 server that keeps connections open, counts them, and can drop them all
    (as gunicorn does past its keep-alive timeout)."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.connections = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                outer.connections.append(self.connection)

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = b'{"user_id": "u1", "username": "arpit"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def drop_connections(self):
        import socket
        for conn in self.connections:
            conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_over_http_keeps_its_connection_and_replaces_one_the_server_closed():
    import time

    server = _KeepAliveServer()
    try:
        client = MetadataClient.over_http(server.url, TOKEN)
        for _ in range(3):
            assert client.authenticate("t")["username"] == "arpit"
        assert len(server.connections) == 1  # one keep-alive connection, reused
        server.drop_connections()
        time.sleep(0.1)  # the FIN reaches the kept socket
        assert client.authenticate("t")["username"] == "arpit"
        assert len(server.connections) == 2
        client.close()
    finally:
        server.close()
