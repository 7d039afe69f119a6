"""The avatar URL: the picture a user makes active is what /<username> shows, and a switch is
visible at the origin within one second."""
import time

from .images import BLUE, RED, close_to, decode, jpeg, mean_rgb


def avatar(api, **params):
    params.setdefault("s", 64)
    r = api.http.get(f"{api.base}/{api.username}", params=params, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("image/"), r.headers
    return r, decode(r.content)


def test_active_picture_switch_and_delete(user):
    red = user.upload_ok(jpeg(RED))
    blue = user.upload_ok(jpeg(BLUE))
    assert red["id"] != blue["id"]
    assert red["width"] == 600 and red["height"] == 400 and red["format"] == "jpeg"
    assert red["url"].endswith(f"/i/{red['id']}")

    user.activate(red["id"])
    _, img = avatar(user)
    assert img.size == (64, 64)
    assert close_to(img, RED), mean_rgb(img)

    user.activate(blue["id"])
    switched = time.monotonic()
    while True:  # the contract: the new picture within 1 s of the PUT returning
        _, img = avatar(user)
        if close_to(img, BLUE):
            break
        assert time.monotonic() - switched < 1.0, f"still {mean_rgb(img)} after 1 s"
        time.sleep(0.05)
    assert img.size == (64, 64)

    r = user.request("DELETE", f"/v1/photos/{blue['id']}")
    assert r.status_code == 204, r.text
    me = user.get("/v1/me").json()
    assert me["active_photo_id"] is None
    deleted = time.monotonic()
    while True:  # no active photo: the mp silhouette, neither of the user's colours
        _, img = avatar(user)
        if not close_to(img, BLUE, 60) and not close_to(img, RED, 60):
            break
        assert time.monotonic() - deleted < 1.0, f"still {mean_rgb(img)} after delete"
        time.sleep(0.05)
    assert img.size == (64, 64)


def test_avatar_sizes_and_unknown_user(user, anonymous):
    user.upload_ok(jpeg(RED), activate="true")
    for s, expected in (("1", 1), ("200", 200), ("99999", 2048), ("abc", 80)):
        _, img = avatar(user, s=s)
        assert img.size == (expected, expected), (s, img.size)
    # No such user: the default picture (d=404 and the other Gravatar defaults come later).
    r = anonymous.get("/nobody-" + user.username[1:], params={"s": 32})
    assert r.status_code == 200
    img = decode(r.content)
    assert img.size == (32, 32) and not close_to(img, RED, 60)
