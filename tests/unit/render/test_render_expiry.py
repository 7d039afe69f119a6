"""An expired photo at render: 410 on /i/…, the default on the avatar routes, from the read
model's expires_at (before the sweep) or its tombstone (after)."""
import time

from tests import imagefactory as f


def test_past_its_expiry_a_photo_is_410_and_no_longer_an_avatar(world):
    view = world.add_photo("p1", f.solid_png(40, 40))
    world.set_user("alice", view)
    assert world.get("/i/p1").status_code == 200
    expired = {**view, "expires_at": int(time.time()) - 1}
    world._publish("photo", "p1", expired)
    world.set_user("alice", expired)
    time.sleep(0.35)  # the micro-cache's lifetime in these tests
    r = world.get("/i/p1")
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "photo_expired"
    r = world.get("/alice?d=404")
    assert r.status_code == 404  # the default, as asked for: the photo is not shown


def test_a_swept_photo_keeps_answering_410(world):
    world._publish("photo", "gone1", {"id": "gone1", "gone": True})
    assert world.get("/i/gone1").status_code == 410


def test_a_future_expiry_changes_nothing(world):
    view = world.add_photo("p2", f.solid_png(40, 40))
    world._publish("photo", "p2", {**view, "expires_at": int(time.time()) + 3600})
    assert world.get("/i/p2").status_code == 200
