"""Uploads from the web page: the session cookie authenticates like a Bearer token, and the
CSRF header it needs is checked before the body is read."""
import io

from shared import session
from tests import imagefactory as f
from tests.unit.upload.fakes import TOKEN


def upload(client, headers=None):
    return client.post("/v1/photos", data={"file": (io.BytesIO(f.solid_jpeg(64, 48)), "a.jpg")},
                       headers=headers or {}, content_type="multipart/form-data")


def test_the_session_cookie_uploads_with_its_csrf_header(client, metadata):
    client.set_cookie(session.SESSION_COOKIE, TOKEN)
    r = upload(client, {session.CSRF_HEADER: session.csrf_for(TOKEN)})
    assert r.status_code == 201, r.get_json()
    assert metadata.photos[0]["user_id"] == 7


def test_the_session_cookie_without_csrf_stores_nothing(client, blobs, metadata):
    client.set_cookie(session.SESSION_COOKIE, TOKEN)
    for headers in ({}, {session.CSRF_HEADER: "guess"}):
        r = upload(client, headers)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    assert not blobs.objects and not metadata.photos


def test_an_unknown_session_is_401(client):
    client.set_cookie(session.SESSION_COOKIE, "not-a-token")
    r = upload(client, {session.CSRF_HEADER: session.csrf_for("not-a-token")})
    assert r.status_code == 401
