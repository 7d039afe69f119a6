"""Finding 3 and the d= part of finding 7, on a real render app (tests/unit/render's World):

- a flood of new sizes is limited per client and per photo (429 with Retry-After), while the
  sizes already drawn keep being served from the byte cache;
- a tiny PNG of 7071×7071 pixels at size=original is not decoded and encoded at full size;
- d= redirects only to URLs that look like images (an open redirect otherwise)."""
from __future__ import annotations

import pytest

from services.render import params
from tests import imagefactory as f
from tests.unit.render.conftest import make_world, world  # noqa: F401 - fixtures


def test_a_flood_of_sizes_from_one_client_is_limited(make_world):
    w = make_world(limit_renders="5/minute", limit_renders_per_photo="100/minute")
    view = w.add_photo("p1", f.solid_jpeg(64, 64, (200, 0, 0)))
    w.set_user("alice", view)
    assert w.get("/alice?s=40").status_code == 200
    for s in range(41, 45):
        assert w.get(f"/alice?s={s}").status_code == 200
    over = w.get("/alice?s=46")
    assert over.status_code == 429
    assert over.json["error"]["code"] == "too_many_requests"
    assert int(over.headers["Retry-After"]) >= 1
    assert over.headers["RateLimit-Policy"] == '"renders";q=5;w=60'
    # What was drawn already is served from the byte cache, limit or not.
    assert w.get("/alice?s=40").status_code == 200


def test_another_client_is_not_limited_by_the_first(make_world):
    w = make_world(limit_renders="2/minute", limit_renders_per_photo="100/minute")
    view = w.add_photo("p1", f.solid_jpeg(64, 64, (200, 0, 0)))
    w.set_user("alice", view)
    for s in (40, 41):
        w.get(f"/alice?s={s}")
    assert w.get("/alice?s=42").status_code == 429
    other = w.client.get("/alice?s=42", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert other.status_code == 200


def test_a_flood_on_one_photo_is_limited_without_starving_others(make_world):
    w = make_world(limit_renders="1000/minute", limit_renders_per_photo="3/minute")
    w.set_user("alice", w.add_photo("p1", f.solid_jpeg(64, 64, (200, 0, 0))))
    w.set_user("bob", w.add_photo("p2", f.solid_jpeg(64, 64, (0, 0, 200))))
    for i, s in enumerate(range(30, 36)):
        ip = f"198.51.100.{i}"   # a distributed flood: a new address per request
        r = w.client.get(f"/alice?s={s}", environ_base={"REMOTE_ADDR": ip})
        assert r.status_code == (200 if i < 3 else 429)
    assert w.get("/bob?s=30").status_code == 200


def test_rate_limits_off_draws_everything(make_world):
    w = make_world(rate_limits="off", limit_renders="1/minute")
    w.set_user("alice", w.add_photo("p1", f.solid_jpeg(64, 64, (200, 0, 0))))
    assert all(w.get(f"/alice?s={s}").status_code == 200 for s in range(20, 26))


def test_a_huge_tiny_png_at_size_original_is_bounded(world):
    import pyvips
    big = pyvips.Image.black(7071, 7071).new_from_image([0, 120, 0]).copy(interpretation="srgb")
    data = big.pngsave_buffer(compression=9)
    assert len(data) < 200_000   # a small upload: the pixel count is the lever
    world.add_photo("huge", data)
    r = world.get("/i/huge?size=original")
    assert r.status_code == 200
    out = pyvips.Image.new_from_buffer(r.data, "")
    assert (out.width, out.height) == (2048, 2048)


@pytest.mark.parametrize("d", [
    "https://example.com/login", "https://example.com/", "https://evil.example/a.png?next=/x",
    "https://evil.example/phish.html",
])
def test_d_redirects_only_to_image_urls(d):
    p = params.avatar_params(params.query("d=" + d))
    assert p.default == "mp" and p.redirect is None


def test_d_image_url_still_redirects(world):
    r = world.get("/nobody?d=https%3A%2F%2Fexample.com%2Fimg%2Fa.png")
    assert r.status_code == 302 and r.headers["Location"] == "https://example.com/img/a.png"
