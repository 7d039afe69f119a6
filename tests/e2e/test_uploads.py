"""POST /v1/photos: what is accepted, what is refused and with which status."""
import io

import pytest
from PIL import Image

from . import launch
from .images import BLUE, GREEN, RED, jpeg, png


def error_code(r) -> str:
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    return body["error"]["code"]


def test_raw_body_upload_and_duplicate(user):
    data = jpeg(GREEN)
    r = user.request("POST", "/v1/photos", data=data, headers={"Content-Type": "image/jpeg"})
    assert r.status_code == 201, r.text
    first = r.json()
    again = user.upload(data)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first["id"]
    assert len(user.get("/v1/photos").json()["photos"]) == 1


def test_same_bytes_by_two_users_are_two_photos(user, other_user):
    data = jpeg(BLUE)
    mine, theirs = user.upload_ok(data), other_user.upload_ok(data)
    assert mine["id"] != theirs["id"] and mine["sha256"] == theirs["sha256"]


def _animated_gif(frames: int) -> bytes:
    out = io.BytesIO()
    # Every frame a different colour: Pillow merges identical consecutive frames.
    imgs = [Image.new("RGB", (4, 4), ((i * 7) % 256, (i * 13) % 256, (i * 29) % 256))
            for i in range(frames)]
    imgs[0].save(out, "GIF", save_all=True, append_images=imgs[1:], duration=10, loop=0)
    return out.getvalue()


# (name, status, error code, body, Content-Type): the codes of API.md's upload errors, as
# services/upload (body.py, shared/images/probe.py) and the origin's body cap (nginx in
# services mode) answer them.
BAD = [
    ("too large", 413, "payload_too_large",
     lambda: jpeg(RED) + b"\0" * (launch.MAX_UPLOAD_BYTES + 1), "image/jpeg"),
    ("text", 415, "unsupported_media_type",
     lambda: b"hello, this is not a picture\n" * 10, "image/jpeg"),
    ("svg", 415, "unsupported_media_type",
     lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "image/svg+xml"),
    ("truncated jpeg", 422, "corrupt_image", lambda: jpeg(RED)[:300], "image/jpeg"),
    ("too many pixels", 422, "too_many_pixels",
     lambda: png(RED, (8000, 8000)), "image/png"),  # 64 MP > 50 MP
    ("too many frames", 422, "too_many_frames", lambda: _animated_gif(201), "image/gif"),
]


@pytest.mark.parametrize("name,status,code,make,ctype", BAD, ids=[b[0] for b in BAD])
def test_bad_uploads_are_refused(user, name, status, code, make, ctype):
    r = user.upload(make(), ctype=ctype)
    assert r.status_code == status, r.text
    assert error_code(r) == code
    # Nothing left behind: the user still has no photo.
    assert user.get("/v1/photos").json()["photos"] == []


def test_authentication_is_required(anonymous, base_url):
    assert anonymous.upload(jpeg(RED)).status_code == 401
    assert anonymous.get("/v1/me").status_code == 401
    assert anonymous.get("/v1/photos").status_code == 401
    bad = type(anonymous)(base_url, token="not-a-real-token")
    r = bad.upload(jpeg(RED))
    assert r.status_code == 401 and error_code(r) == "unauthorized"


def test_someone_elses_photo_does_not_exist(user, other_user):
    photo = user.upload_ok(jpeg(RED))
    pid = photo["id"]
    assert other_user.get(f"/v1/photos/{pid}").status_code == 404
    assert other_user.request("PATCH", f"/v1/photos/{pid}", json={"alt": "mine"}).status_code == 404
    assert other_user.request("DELETE", f"/v1/photos/{pid}").status_code == 404
    r = other_user.request("PUT", "/v1/me/active-photo", json={"photo_id": pid})
    assert r.status_code == 404, r.text
    assert user.get(f"/v1/photos/{pid}").json()["alt"] == photo["alt"]
