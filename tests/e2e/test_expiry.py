"""Photo lifetimes: expires_in at upload or by PATCH; past it /i/… answers 410, the photo is
no one's avatar any more, and the sweep removes it (its link stays 410)."""
import time

from .images import GREEN, RED, close_to, decode, jpeg


def test_an_expired_photo_is_410_and_stops_being_the_avatar(user, anonymous):
    photo = user.upload_ok(jpeg(GREEN, size=(100, 100)), activate="true", expires_in="3")
    assert photo["expires_at"] is not None
    assert anonymous.get(f"/i/{photo['id']}").status_code == 200
    shown = decode(anonymous.get(f"/{user.username}?s=40").content)
    assert close_to(shown, GREEN)
    time.sleep(4.5)  # past the expiry, plus the ≤1 s micro-cache
    r = anonymous.get(f"/i/{photo['id']}")
    assert r.status_code == 410, r.text
    assert anonymous.get(f"/{user.username}?d=404").status_code == 404  # the default now
    # The sweep deletes it (its link keeps answering 410) and clears the active choice.
    deadline = time.monotonic() + 20
    while user.get(f"/v1/photos/{photo['id']}").status_code == 200:
        assert time.monotonic() < deadline, "expired photo not swept"
        time.sleep(0.5)
    assert user.get("/v1/me").json()["active_photo_id"] is None
    assert anonymous.get(f"/i/{photo['id']}").status_code == 410


def test_patch_sets_and_clears_a_lifetime(user, anonymous):
    photo = user.upload_ok(jpeg(RED, size=(50, 50)))
    assert photo["expires_at"] is None
    r = user.request("PATCH", f"/v1/photos/{photo['id']}", json={"expires_in": 3600})
    assert r.status_code == 200 and r.json()["expires_at"]
    r = user.request("PATCH", f"/v1/photos/{photo['id']}", json={"expires_at": None})
    assert r.status_code == 200 and r.json()["expires_at"] is None
    r = user.request("PATCH", f"/v1/photos/{photo['id']}",
                     json={"expires_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 422


def test_bad_expiry_at_upload_is_422_and_stores_nothing(user):
    r = user.upload(jpeg(RED, size=(30, 30)), expires_in="soon")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_expiry"
    assert user.get("/v1/photos").json()["photos"] == []
