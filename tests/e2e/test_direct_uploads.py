"""Presigned direct uploads (POST /v1/uploads … /complete), as a browser does them: the form
goes to the URL the ticket names — the SeaweedFS bucket in services mode, the origin's own
signed endpoint in standalone — and the flow is the same in both."""
import time

import pytest
import requests

from . import launch
from .images import BLUE, RED, close_to, decode, jpeg


def ticket(user, data: bytes, content_type="image/jpeg") -> dict:
    r = user.request("POST", "/v1/uploads", json={"content_type": content_type,
                                                  "bytes": len(data)})
    assert r.status_code == 201, r.text
    return r.json()


def send(t: dict, data: bytes, content_type="image/jpeg", origin=None):
    headers = {"Origin": origin} if origin else {}
    return requests.post(t["url"], data=t["fields"], headers=headers, timeout=30,
                         files={"file": ("pic", data, content_type)})


def complete(user, t: dict, **body):
    return user.request("POST", f"/v1/uploads/{t['id']}/complete", json=body or None)


def test_ticket_send_complete_then_render(user, anonymous, blobs, system):
    data = jpeg(BLUE, size=(320, 200))
    t = ticket(user, data)
    if system.mode == "standalone":
        assert t["url"] == f"{system.base_url}/v1/uploads/form"
    else:  # straight to the object store, not through the origin
        assert t["url"] == f"http://127.0.0.1:{system.env['UP_S3_PORT']}/onepic"
    r = send(t, data, origin=system.base_url)
    assert r.status_code == 204, r.text
    assert blobs.keys(t["fields"]["key"]) == {t["fields"]["key"]}
    r = complete(user, t, alt="sky", activate=True)
    assert r.status_code == 201, r.text
    photo = r.json()
    assert (photo["width"], photo["height"], photo["alt"]) == (320, 200, "sky")
    assert blobs.keys(t["fields"]["key"]) == set()  # moved to its content address
    assert blobs.keys(f"originals/{photo['sha256']}")
    img = decode(anonymous.get(f"/i/{photo['id']}?size=original").content)
    assert img.size == (320, 200) and close_to(img, BLUE)
    assert complete(user, t).status_code == 404  # used once


def test_the_store_refuses_more_than_declared(user, blobs):
    data = jpeg(RED)
    t = ticket(user, data[:-100] if len(data) > 100 else data[:1])
    r = send(t, data)
    assert r.status_code in (400, 413), r.text  # S3 says 400 EntityTooLarge
    assert blobs.keys(t["fields"]["key"]) == set()
    r = complete(user, t)
    assert r.status_code == 409 and r.json()["error"]["code"] == "upload_not_received"


def test_the_store_refuses_another_content_type(user, blobs):
    data = jpeg(RED)
    t = ticket(user, data)
    fields = {**t["fields"], "Content-Type": "text/html"}
    r = requests.post(t["url"], data=fields, files={"file": ("x", data, "text/html")}, timeout=30)
    assert r.status_code == 403, r.text
    assert blobs.keys(t["fields"]["key"]) == set()


def test_a_non_image_is_refused_at_completion_and_deleted(user, blobs):
    junk = b"<html><script>alert(1)</script></html>"
    t = ticket(user, junk)  # it claims to be a JPEG; the store cannot know better
    assert send(t, junk).status_code == 204
    r = complete(user, t)
    assert r.status_code == 415, r.text
    assert blobs.keys(t["fields"]["key"]) == set()
    assert user.get("/v1/photos").json()["photos"] == []


@pytest.mark.parametrize("body,status", [
    ({"content_type": "image/svg+xml", "bytes": 10}, 415),
    ({"content_type": "image/jpeg", "bytes": 0}, 422),
    ({"content_type": "image/jpeg", "bytes": launch.MAX_UPLOAD_BYTES + 1}, 413),
    ({"content_type": "image/jpeg"}, 422),
])
def test_bad_ticket_requests(user, body, status):
    r = user.request("POST", "/v1/uploads", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"]


def test_someone_elses_ticket_is_404(user, other_user):
    data = jpeg(RED, size=(40, 40))
    t = ticket(user, data)
    send(t, data)
    assert complete(other_user, t).status_code == 404
    assert complete(user, t).status_code == 201


def test_an_expired_ticket_is_refused_by_the_store_and_swept(user, blobs):
    data = jpeg(RED, size=(50, 50))
    sent, unsent = ticket(user, data), ticket(user, data)
    assert send(sent, data).status_code == 204  # sent in time, never completed
    time.sleep(launch.UPLOAD_TICKET_TTL + 1)
    assert send(unsent, data).status_code == 403  # the signed form has expired
    assert blobs.keys(unsent["fields"]["key"]) == set()
    # The sweep runs every quarter of the lifetime: the waiting object goes, then its ticket.
    deadline = time.monotonic() + 20
    while blobs.keys(sent["fields"]["key"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert blobs.keys(sent["fields"]["key"]) == set()
    assert complete(user, sent).status_code in (404, 410)  # swept, or being swept


def test_the_bucket_lets_the_origins_page_post(system):
    if system.mode == "standalone":
        return  # the form goes to the origin itself: no cross-origin request at all
    bucket = f"http://127.0.0.1:{system.env['UP_S3_PORT']}/onepic"
    r = requests.options(bucket, timeout=10, headers={
        "Origin": system.base_url, "Access-Control-Request-Method": "POST"})
    assert r.headers.get("Access-Control-Allow-Origin") in (system.base_url, "*"), r.headers
