"""/<username> and /avatar/<hash>: real pixels out of real backends."""

import pytest

from shared.config import Settings
from tests import imagefactory as f

RED, BLUE, GREEN = (200, 40, 40), (30, 60, 200), (40, 160, 80)
MP_GREYS = (160, 224)   # the silhouette's figure and background


def dims(r):
    image = f.decode(r.data)
    return image.width, image.height


def is_mystery_person(r) -> bool:
    mean = f.mean_colour(r.data)
    corner = f.mean_colour(r.data, (0, 0, 2, 2))
    return (MP_GREYS[0] < mean[0] < MP_GREYS[1] and abs(mean[0] - mean[2]) < 3
            and f.close(corner, [MP_GREYS[1]] * 3))


@pytest.fixture
def alice(world):
    world.set_user("alice", world.add_photo("p1", f.solid_jpeg(300, 200, RED)))
    return world


def test_active_picture_is_a_square_of_s_with_every_header(alice):
    r = alice.get("/alice?s=100")
    assert r.status_code == 200 and dims(r) == (100, 100)
    assert f.close(f.mean_colour(r.data), RED) and f.loader(r.data) == "jpeg"
    h = r.headers
    assert h["Content-Type"] == "image/jpeg" and int(h["Content-Length"]) == len(r.data)
    assert h["ETag"].startswith('"') and h["ETag"].endswith('"') and not h["ETag"].startswith("W/")
    assert h["Cache-Control"] == "public, max-age=300"
    assert h["X-Content-Type-Options"] == "nosniff" and h["Access-Control-Allow-Origin"] == "*"
    assert h["Vary"] == "Accept"


@pytest.mark.parametrize("qs, side", [("", 80), ("?size=40", 40), ("?s=0", 1),
                                      ("?s=99999", 2048), ("?s=big", 80)])
def test_size_is_clamped(alice, qs, side):
    assert dims(alice.get("/alice" + qs)) == (side, side)


def test_square_is_a_centre_crop(world):
    # 300 wide: red | blue halves; the centred 200x200 crop keeps both, split in the middle.
    world.set_user("bob", world.add_photo("p2", f.halves_jpeg(300, 200, RED, BLUE)))
    r = world.get("/bob.png?s=100")
    assert dims(r) == (100, 100)
    assert f.close(f.mean_colour(r.data, (5, 5, 35, 90)), RED, 12)
    assert f.close(f.mean_colour(r.data, (60, 5, 35, 90)), BLUE, 12)


@pytest.mark.parametrize("url, accept, fmt, vary", [
    ("/alice", "image/webp,*/*", "webp", True),
    ("/alice", "*/*", "jpeg", True),
    ("/alice.png", "image/webp", "png", False),
    ("/alice.jpg", "image/webp", "jpeg", False),
    ("/alice.webp", "", "webp", False),
])
def test_format_by_extension_then_accept(alice, url, accept, fmt, vary):
    r = alice.get(url, Accept=accept)
    assert f.loader(r.data) == fmt and r.headers["Content-Type"] == f"image/{fmt}"
    assert ("Vary" in r.headers) is vary
    assert f.close(f.mean_colour(r.data), RED)


def test_transparent_picture_negotiates_png(world):
    world.set_user("carol", world.add_photo("p3", f.solid_png(64, 64, (10, 200, 10, 128))))
    r = world.get("/carol?s=32")
    assert f.loader(r.data) == "png" and f.decode(r.data).hasalpha()


@pytest.mark.parametrize("url", ["/nobody", "/Not%20A%20Name", "/avatar/" + "a" * 32,
                                 "/avatar/" + "0" * 64, "/avatar/not-a-hash"])
def test_no_picture_answers_the_mystery_person(world, url):
    r = world.get(url + "?s=64")
    assert r.status_code == 200 and dims(r) == (64, 64) and is_mystery_person(r)
    assert r.headers["Cache-Control"] == "public, max-age=300"


def test_user_without_active_photo_and_forced_default(alice):
    alice.set_user("dora", None)
    assert is_mystery_person(alice.get("/dora"))
    assert is_mystery_person(alice.get("/alice?f=y"))


def test_usernames_compare_case_insensitively(alice):
    assert f.close(f.mean_colour(alice.get("/ALICE").data), RED)


def test_conditional_get_and_head(alice):
    first = alice.get("/alice?s=50")
    etag = first.headers["ETag"]
    for inm in (etag, f'"other", W/{etag}', "*"):
        r = alice.get("/alice?s=50", **{"If-None-Match": inm})
        assert r.status_code == 304 and r.data == b"" and r.headers["ETag"] == etag
        assert r.headers["Cache-Control"] == "public, max-age=300"
    assert alice.get("/alice?s=50", **{"If-None-Match": '"stale"'}).status_code == 200
    assert alice.get("/alice?s=51").headers["ETag"] != etag
    head = alice.client.head("/alice?s=50")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]
    assert head.headers["ETag"] == etag


def test_warm_requests_touch_neither_blobs_transform_nor_metadata(alice, monkeypatch):
    assert alice.get("/alice?s=70").status_code == 200
    calls = len(alice.metadata.calls)

    def boom(*a, **k):
        raise AssertionError("warm path must not reach this")

    monkeypatch.setattr(alice.blobs, "get", boom)
    monkeypatch.setattr("shared.images.transform.render", boom)
    for _ in range(3):
        r = alice.get("/alice?s=70")
        assert r.status_code == 200 and dims(r) == (70, 70)
    assert len(alice.metadata.calls) == calls
    assert alice.get("/alice?s=71").status_code == 500   # a cold size does reach them


def test_an_announced_change_shows_at_once(alice):
    now = [1000.0]
    alice.app.resolver._clock = lambda: now[0]   # the micro-cache's clock, frozen
    assert f.close(f.mean_colour(alice.get("/alice").data), RED)
    alice.set_user("alice", alice.add_photo("p9", f.solid_jpeg(120, 120, GREEN)))
    # Pushed: the micro-cached answer is dropped without waiting out its period.
    assert f.close(f.mean_colour(alice.get("/alice").data), GREEN)


def test_an_unannounced_change_shows_within_a_second(alice, monkeypatch):
    now = [1000.0]
    alice.app.resolver._clock = lambda: now[0]   # the micro-cache's clock, moved by hand
    assert f.close(f.mean_colour(alice.get("/alice").data), RED)
    # The announcement lost (Redis restarting): only the micro-cache's lifetime bounds it.
    monkeypatch.setattr(alice.cache, "publish", lambda *_: None)
    alice.set_user("alice", alice.add_photo("p9", f.solid_jpeg(120, 120, GREEN)))
    assert f.close(f.mean_colour(alice.get("/alice").data), RED)
    now[0] += alice.settings.micro_cache_seconds + 0.001
    assert f.close(f.mean_colour(alice.get("/alice").data), GREEN)
    assert alice.settings.micro_cache_seconds < 1 and Settings().micro_cache_seconds < 1


def test_cache_miss_asks_metadata_which_heals_the_cache(alice):
    alice.cache.delete("rm:user:alice")
    r = alice.get("/alice?s=20")
    assert f.close(f.mean_colour(r.data), RED)
    assert ("user", "alice") in alice.metadata.calls
    assert alice.cache.get("rm:user:alice") is not None
