"""shared/routing.py: the one routing table, decided on the normalised path; and the
standalone origin, which follows it."""
import json

import pytest
from werkzeug.test import Client

from services.standalone.origin import Origin
from shared.routing import encode, normalise, service_for


@pytest.mark.parametrize("raw,clean", [
    ("/", "/"), ("//", "/"), ("/..", "/"), ("/v1/..", "/"),
    ("/v1/../internal/auth", "/internal/auth"), ("/v1//me", "/v1/me"),
    ("/a/./b/", "/a/b/"), ("/a/b/..", "/a/"), ("/x/..//internal//auth", "/internal/auth"),
    ("/v1/photos", "/v1/photos"), ("/v1/photos/", "/v1/photos/"),
])
def test_normalise(raw, clean):
    assert normalise(raw) == clean


@pytest.mark.parametrize("path", ["/internal", "/internal/auth", "/v1/../internal/auth",
                                  "/arpit/../internal", "/v1//..//internal/photos"])
def test_internal_is_never_routed_however_it_is_spelt(path):
    assert service_for("GET", path) is None


def test_routing_uses_the_normalised_path():
    assert service_for("POST", "/v1//photos") == "upload"
    assert service_for("GET", "/x/../v1/me") == "metadata"
    assert service_for("GET", "/v1/../arpit") == "render"


def test_encode_escapes_what_would_change_the_request():
    assert encode("/v1/me/emails/a?b#c%d e@x.com") == "/v1/me/emails/a%3Fb%23c%25d%20e@x.com"
    assert encode("/v1/me/emails/a+b@x.com") == "/v1/me/emails/a+b@x.com"
    assert encode("/üser".encode().decode("latin-1")) == "/%C3%BCser"


def _echo(name):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"service": name, "path": environ["PATH_INFO"]}).encode()]
    return app


def test_the_standalone_origin_routes_and_passes_on_the_normalised_path():
    origin = Client(Origin({name: _echo(name) for name in ("upload", "metadata", "render")}))
    assert origin.get("/v1/%2e%2e/internal/auth").status_code == 404
    assert origin.get("/x/../v1/me").get_json() == {"service": "metadata", "path": "/v1/me"}
    assert origin.get("/v1/../arpit").get_json() == {"service": "render", "path": "/arpit"}
