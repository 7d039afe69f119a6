"""The web page's documents: where they are routed, what they may load (CSP), the CSRF
cookie a visitor gets, and the verification link answering a browser with the page while
an API client still gets JSON."""
import pytest

from shared import session
from shared.routing import service_for


@pytest.mark.parametrize("path", ["/", "/web/app.js", "/web/vendor/cropper.esm.js"])
def test_the_page_is_routed_to_metadata(path):
    assert service_for("GET", path) == "metadata"


@pytest.mark.parametrize("path", ["/alice", "/webby", "/avatar/abc", "/i/x"])
def test_other_root_paths_stay_with_render(path):
    assert service_for("GET", path) == "render"


def test_web_is_a_reserved_username(api, client):
    r = client.post("/v1/users", json={"username": "web", "password": "correct horse"})
    assert r.status_code == 422


def test_the_page_has_a_strict_csp_and_gives_a_csrf_cookie(client):
    r = client.get("/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get_cookie(session.CSRF_COOKIE).value
    # The page has no inline script or style for the CSP to block.
    html = r.get_data(as_text=True)
    assert "<script>" not in html and "<style" not in html and "style=" not in html


def test_a_returning_visitor_keeps_their_csrf_cookie(client):
    client.get("/")
    first = client.get_cookie(session.CSRF_COOKIE).value
    assert "Set-Cookie" not in client.get("/").headers
    assert client.get_cookie(session.CSRF_COOKIE).value == first


def test_assets_are_served_with_their_types(client):
    js = client.get("/web/app.js")
    assert js.status_code == 200 and js.mimetype in ("text/javascript", "application/javascript")
    assert client.get("/web/app.css").mimetype == "text/css"
    assert client.get("/web/nope.js").status_code == 404
    assert client.get("/web/../app.py").status_code == 404


def test_the_vendored_libraries_are_built():
    """`make web` (npm ci + build.mjs) puts them there; the page cannot work without."""
    from services.web.pages import STATIC

    for name in ("cropper.esm.js", "cropper.min.css", "uPlot.esm.js", "uPlot.min.css"):
        assert (STATIC / "vendor" / name).stat().st_size > 1000, f"run `make web`: {name}"


def test_the_verification_link_gives_a_browser_the_page(client, api, mailbox):
    token = api.signup("alice")["token"]
    api.add_email(token, "alice@example.org")
    link = mailbox.links("alice@example.org")[-1]
    path = link[link.index("/v1/"):]
    page = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Content-Security-Policy" in page.headers
    # The page itself changed nothing: the address is still unverified.
    me = client.get("/v1/me", headers=api.auth(token)).get_json()
    assert me["emails"][0]["verified"] is False
    for accept in ("application/json", "*/*"):
        r = client.get(path, headers={"Accept": accept})
        assert r.mimetype == "application/json", accept


@pytest.mark.parametrize(("blob_url", "origin"), [
    ("s3://pics?endpoint_url=http://127.0.0.1:8333&region=us-east-1", "http://127.0.0.1:8333"),
    ("s3://pics?region=eu-west-1", ""),
    ("file:///var/blobs", ""),
])
def test_the_page_may_post_to_the_object_store_of_presigned_uploads(blob_url, origin):
    from services.web.pages import store_origin

    assert store_origin(blob_url) == origin
