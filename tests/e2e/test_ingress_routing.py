"""The photo list through a front door that routes by path only, as the Kubernetes Ingress
does: `deploy.local up` with UP_INGRESS_PORT runs a second nginx there that sends every
method of /v1/photos to upload (the Ingress's Exact rule), and upload must hand the ones that
are metadata's on to it. Services mode only: standalone has one origin, routing by method."""
import uuid

import pytest
import requests

from .client import Api, sign_up
from .images import jpeg
from .test_photos_api import test_list_is_newest_first_with_cursor_pagination as list_pages

pytestmark = pytest.mark.parametrize("system", ["services"], indirect=True)


@pytest.fixture
def ingress_url(system) -> str:
    return f"http://127.0.0.1:{system.env['UP_INGRESS_PORT']}"


def test_the_photo_list_pages_through_the_ingress_routing(ingress_url):
    list_pages(sign_up(ingress_url))


def test_the_web_page_session_lists_photos_through_it(base_url, ingress_url):
    user = sign_up(base_url)
    photo = user.upload_ok(jpeg((40, 90, 160), size=(24, 16)))
    # The gallery's request: the session cookie, no Authorization header.
    session = requests.Session()
    session.cookies.set("onepic_session", user.token)
    r = session.get(ingress_url + "/v1/photos", timeout=30)
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["photos"]] == [photo["id"]]


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE", "POST"])
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_every_method_of_the_path_answers_as_through_the_origin(base_url, ingress_url,
                                                                 method, signed_in):
    """The origin routes by method (POST to upload, the rest to metadata); through the
    Ingress's routing upload receives them all. The answers must not differ."""
    user = sign_up(base_url) if signed_in else Api(base_url)
    if signed_in:
        user.upload_ok(jpeg((200, 60, 20), size=(24, 16)))
    kw = {"json": {"note": uuid.uuid4().hex}} if method in ("PUT", "PATCH", "DELETE") else {}
    via_origin = user.request(method, "/v1/photos", **kw)
    via_ingress = Api(ingress_url, user.token).request(method, "/v1/photos", **kw)
    assert via_ingress.status_code == via_origin.status_code, via_ingress.text
    for header in ("Allow", "Content-Type", "Content-Length", "Retry-After"):
        assert via_ingress.headers.get(header) == via_origin.headers.get(header), header
    assert via_ingress.content == via_origin.content
