"""GET /v1/photos/<id>/stats: views through every URL that shows the photo, 200 and 304,
visible within 15 seconds, counted without a database write per view."""
import time

from .images import GREEN, jpeg


def wait_for_total(user, photo_id: str, total: int, timeout: float = 15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = user.get(f"/v1/photos/{photo_id}/stats")
        assert r.status_code == 200, r.text
        stats = r.json()
        if stats["total"] >= total or time.monotonic() > deadline:
            return stats
        time.sleep(0.5)


def test_views_through_every_url_reach_the_stats(user, anonymous):
    photo = user.upload_ok(jpeg(GREEN, size=(200, 200)), activate="true")
    # Variants first: until they exist /i/ serves the original, and the ETag would change
    # between the 200 and its revalidation below.
    user.wait_ready(photo["id"])
    assert user.get(f"/v1/photos/{photo['id']}/stats").json() == {"total": 0, "days": []}
    first = anonymous.get(f"/i/{photo['id']}")
    assert first.status_code == 200
    again = anonymous.get(f"/i/{photo['id']}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert anonymous.get(f"/{user.username}?s=64").status_code == 200
    assert anonymous.request("HEAD", f"/i/{photo['id']}").status_code == 200  # shows nothing
    started = time.monotonic()
    stats = wait_for_total(user, photo["id"], 3)
    assert stats["total"] == 3, stats
    assert time.monotonic() - started < 15
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert stats["days"] == [{"date": today, "views": 3}]


def test_someone_elses_stats_are_404(user, other_user):
    photo = user.upload_ok(jpeg(GREEN, size=(40, 40)))
    assert other_user.get(f"/v1/photos/{photo['id']}/stats").status_code == 404
