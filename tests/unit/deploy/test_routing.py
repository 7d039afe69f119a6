"""shared/routing.py: the one routing table, decided on the normalised path; and the
standalone origin, which follows it."""
import json

import pytest
from werkzeug.test import Client

from services.standalone.origin import Origin
from shared.routing import ROUTES, normalise, service_for


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


@pytest.mark.parametrize("method,path,service", [
    ("POST", "/v1/photos", "upload"), ("GET", "/v1/photos", "metadata"),
    ("PUT", "/v1/photos", "metadata"), ("POST", "/v1/photos/", "metadata"),
    ("POST", "/v1/photos/p_1/transform", "metadata"), ("GET", "/v1", "metadata"),
    ("GET", "/v1x", "render"), ("GET", "/internalx", "render"), ("GET", "/arpit", "render"),
    ("GET", "/readyz", None), ("GET", "/metrics", None), ("GET", "/metrics/x", "render"),
])
def test_the_table_answers_most_specific_first(method, path, service):
    assert service_for(method, path) == service


def test_the_table_ends_in_a_catch_all_and_never_exposes_internal():
    assert ROUTES[-1].path == "/" and ROUTES[-1].service is not None
    assert any(r.path == "/internal" and r.service is None and not r.exact for r in ROUTES)


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
