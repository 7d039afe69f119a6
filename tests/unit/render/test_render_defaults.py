"""Generated defaults on the avatar routes, judged by their pixels: each kind is the drawing
for the right seed at the right size, blank is transparent, and defaults cache like pictures."""
import hashlib

import pytest

from services.render.avatars import generate
from tests import imagefactory as f

RED = (200, 40, 40)
ANN = hashlib.md5(b"ann@example.com").hexdigest()
BOB = hashlib.md5(b"bob@example.com").hexdigest()
SEEDED = ("identicon", "monsterid", "wavatar", "retro", "robohash", "color", "initials")


def same_pixels(data: bytes, expected: bytes) -> bool:
    a, b = f.decode(data), f.decode(expected)
    if (a.width, a.height, a.bands) != (b.width, b.height, b.bands):
        return False
    return (a.cast("int") - b.cast("int")).abs().max() <= 1


@pytest.fixture
def ann(world):
    """ann@example.com is a verified address of alice, whose picture is plain red."""
    view = world.add_photo("p1", f.solid_jpeg(200, 200, RED))
    world.set_user("alice", view)
    world.set_email(ANN, "alice", view)
    return world


@pytest.mark.parametrize("kind", SEEDED)
def test_each_kind_is_drawn_from_the_email_hash_at_the_asked_size(ann, kind):
    r = ann.get(f"/avatar/{ANN}.png?d={kind}&s=48&f=y")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png"
    assert same_pixels(r.data, generate(kind, ANN, 48, "png", initials="alice"))  # the account
    assert not f.close(f.mean_colour(r.data), RED, 40)   # the photo is not what shows
    other = ann.get(f"/avatar/{BOB}.png?d={kind}&s=48")
    assert not same_pixels(other.data, r.data)            # another hash, another drawing


@pytest.mark.parametrize("kind", SEEDED)
def test_username_seed_is_the_md5_of_the_lower_cased_name(world, kind):
    seed = hashlib.md5(b"nobody").hexdigest()
    r = world.get(f"/NoBody.png?d={kind}&s=40")
    assert same_pixels(r.data, generate(kind, seed, 40, "png", initials="NO"))


@pytest.mark.parametrize("s, side", [("1", 1), ("17", 17), ("0", 1), ("x", 80), ("3000", 2048)])
def test_defaults_follow_the_size(world, s, side):
    image = f.decode(world.get(f"/avatar/{ANN}.png?d=identicon&s={s}").data)
    assert (image.width, image.height) == (side, side)


@pytest.mark.parametrize("url, accept, fmt", [
    ("/avatar/{h}?d=blank", "", "png"),
    ("/avatar/{h}?d=blank", "image/avif,*/*", "png"),
    ("/avatar/{h}?d=blank", "image/webp,*/*", "webp"),
    ("/avatar/{h}.png?d=blank", "image/webp", "png"),
    ("/avatar/{h}.webp?d=blank", "", "webp"),
])
def test_blank_is_fully_transparent(world, url, accept, fmt):
    r = world.get(url.format(h=ANN) + "&s=24", Accept=accept)
    image = f.decode(r.data)
    assert f.loader(r.data) == fmt and r.headers["Content-Type"] == f"image/{fmt}"
    assert (image.width, image.height) == (24, 24)
    assert image.hasalpha() and image[image.bands - 1].max() == 0


def test_blank_as_jpeg_is_white(world):
    r = world.get(f"/avatar/{ANN}.jpg?d=blank&s=24")
    assert f.loader(r.data) == "jpeg" and f.close(f.mean_colour(r.data), (255, 255, 255), 2)


@pytest.mark.parametrize("url, accept, fmt, vary", [
    ("/avatar/{h}?d=retro", "", "jpeg", True),        # opaque kinds negotiate JPEG
    ("/avatar/{h}?d=retro", "image/webp", "webp", True),
    ("/avatar/{h}.jpg?d=retro", "image/webp", "jpeg", False),
    ("/avatar/{h}.png?d=retro", "", "png", False),
    ("/avatar/{h}.webp?d=retro", "", "webp", False),
    ("/avatar/{h}.JPG?d=retro", "", "jpeg", False),
])
def test_default_format_by_extension_then_accept(world, url, accept, fmt, vary):
    r = world.get(url.format(h=ANN) + "&s=32", Accept=accept)
    assert f.loader(r.data) == fmt and r.headers["Content-Type"] == f"image/{fmt}"
    assert ("Vary" in r.headers) is vary
    assert f.close(f.mean_colour(r.data), f.mean_colour(generate("retro", ANN, 32, "png")), 8)


def test_every_default_answer_carries_the_caching_headers(world):
    for kind in ("mp", "identicon", "blank", "initials"):
        h = world.get(f"/avatar/{ANN}?d={kind}&s=20").headers
        assert h["Cache-Control"] == "public, max-age=300", kind
        assert h["Access-Control-Allow-Origin"] == "*" and h["X-Content-Type-Options"] == "nosniff"
        assert h["ETag"].startswith('"') and h["Vary"] == "Accept"


def test_default_etag_names_kind_seed_size_initials_and_format(world):
    def etag(url):
        return world.get(url).headers["ETag"]

    base = etag(f"/avatar/{ANN}.png?d=identicon&s=30")
    assert etag(f"/avatar/{ANN}.png?d=identicon&s=30") == base
    assert etag(f"/avatar/{ANN.upper()}.png?d=identicon&s=30") == base
    others = {etag(f"/avatar/{BOB}.png?d=identicon&s=30"), etag(f"/avatar/{ANN}.png?d=identicon&s=31"),
              etag(f"/avatar/{ANN}.png?d=retro&s=30"), etag(f"/avatar/{ANN}.jpg?d=identicon&s=30"),
              etag(f"/avatar/{ANN}.png?d=initials&s=30&name=Ann+Lee"),
              etag(f"/avatar/{ANN}.png?d=initials&s=30&name=Bo+Lee")}
    assert base not in others and len(others) == 6
    # Drawn the same for everybody: one rendering (and tag) per size and format.
    assert etag(f"/avatar/{ANN}.png?s=30") == etag(f"/avatar/{BOB}.png?d=mm&s=30")
    assert etag(f"/avatar/{ANN}.png?d=blank&s=30") == etag("/nobody.png?d=blank&s=30")


def test_default_answers_304_to_its_etag(world):
    url = f"/avatar/{ANN}?d=wavatar&s=40"
    first = world.get(url)
    etag = first.headers["ETag"]
    r = world.get(url, **{"If-None-Match": etag})
    assert r.status_code == 304 and r.data == b"" and r.headers["ETag"] == etag
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert world.get(url, **{"If-None-Match": '"old"'}).status_code == 200
    head = world.client.head(url)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]


def test_warm_defaults_are_not_drawn_again(world, monkeypatch):
    url = f"/avatar/{ANN}.png?d=monsterid&s=36"
    first = world.get(url)

    def boom(*a, **k):
        raise AssertionError("a cached default must not be drawn again")

    monkeypatch.setattr("services.render.avatars.generate", boom)
    again = world.get(url)
    assert again.status_code == 200 and same_pixels(again.data, first.data)
    assert world.get(f"/avatar/{ANN}.png?d=monsterid&s=37").status_code == 500  # cold: drawn
