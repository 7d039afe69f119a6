"""The Gravatar dialect on the avatar routes: d=404, redirects, ratings, forced defaults,
initials, and /avatar/<hash> resolving through the email entries."""
import hashlib

import pytest

from services.render.avatars import generate
from tests import imagefactory as f

RED = (200, 40, 40)
MP_BACKGROUND = (224, 224, 224)
EMAIL = "ann@example.com"
MD5 = hashlib.md5(EMAIL.encode()).hexdigest()
SHA256 = hashlib.sha256(EMAIL.encode()).hexdigest()
AVATAR_CACHE = "public, max-age=300"


def shows_photo(r) -> bool:
    return r.status_code == 200 and f.close(f.mean_colour(r.data), RED)


def is_mp(r) -> bool:
    return r.status_code == 200 and f.close(f.mean_colour(r.data, (0, 0, 2, 2)), MP_BACKGROUND)


def same_pixels(data: bytes, expected: bytes) -> bool:
    a, b = f.decode(data), f.decode(expected)
    return (a.width, a.height) == (b.width, b.height) and \
        (a.cast("int") - b.cast("int")).abs().max() <= 1


def rated(world, rating: str):
    """alice (and her address) showing a red picture rated `rating`."""
    view = world.add_photo("p-" + rating, f.solid_jpeg(120, 120, RED), rating=rating)
    world.set_user("alice", view)
    world.set_email(MD5, "alice", view)
    world.set_email(SHA256, "alice", view)
    return world


@pytest.fixture
def ann(world):
    return rated(world, "g")


@pytest.mark.parametrize("path", [f"/avatar/{MD5}", f"/avatar/{MD5.upper()}", f"/avatar/{SHA256}",
                                  f"/avatar/{SHA256.upper()}.jpg", f"/avatar/{MD5}.webp"])
def test_email_hash_shows_the_accounts_picture(ann, path):
    r = ann.get(path + "?s=40")
    assert shows_photo(r) and f.decode(r.data).width == 40


@pytest.mark.parametrize("path", [f"/avatar/{MD5[:-1]}", f"/avatar/{MD5}0", "/avatar/" + "g" * 32])
def test_not_an_md5_or_sha256_is_nobody(ann, path):
    assert is_mp(ann.get(path))


def test_unverified_or_unknown_address_is_the_default(ann):
    assert is_mp(ann.get("/avatar/" + hashlib.md5(b"eve@example.com").hexdigest()))
    assert ("email", hashlib.md5(b"eve@example.com").hexdigest()) in ann.metadata.calls


@pytest.mark.parametrize("path", ["/nobody", f"/avatar/{'0' * 32}", f"/avatar/{'0' * 64}.png"])
@pytest.mark.parametrize("d", ["404", "default=404"])
def test_d_404_is_a_404_with_the_caching_headers_of_a_hit(world, path, d):
    r = world.get(path + ("?" + d if "=" in d else "?d=" + d))
    assert r.status_code == 404
    h = r.headers
    assert h["Cache-Control"] == AVATAR_CACHE and h["Access-Control-Allow-Origin"] == "*"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["ETag"].startswith('"') and not h["ETag"].startswith("W/")
    assert r.get_json()["error"]["code"] == "not_found" and int(h["Content-Length"]) == len(r.data)
    head = world.client.head(path + "?d=404")
    assert head.status_code == 404 and head.data == b"" and head.headers["ETag"] == h["ETag"]


def test_d_404_still_shows_a_picture_that_exists(ann):
    assert shows_photo(ann.get("/alice?d=404"))
    assert shows_photo(ann.get(f"/avatar/{MD5}?d=404"))
    assert ann.get("/alice?d=404&f=y").status_code == 404


@pytest.mark.parametrize("qs, location", [
    ("d=https%3A%2F%2Fexample.com%2Fimg%2Fa.png", "https://example.com/img/a.png"),
    ("default=http%3A%2F%2Fexample.com%3A8080%2Fa.jpg", "http://example.com:8080/a.jpg"),
    ("d=https://example.com/a.png", "https://example.com/a.png"),
    ("d=https%3A%2F%2Fexample.com%2Fa%2520b.png", "https://example.com/a%20b.png"),
])
def test_d_url_redirects_to_it(world, qs, location):
    r = world.get(f"/avatar/{'0' * 32}?{qs}")
    assert r.status_code == 302 and r.headers["Location"] == location
    h = r.headers
    assert h["Cache-Control"] == AVATAR_CACHE and h["Access-Control-Allow-Origin"] == "*"
    assert h["X-Content-Type-Options"] == "nosniff" and r.data == b""


def test_d_url_only_when_there_is_no_picture(ann):
    url = "/alice?d=https%3A%2F%2Fexample.com%2Fa.png"
    assert shows_photo(ann.get(url))
    assert ann.get(url + "&f=y").status_code == 302
    assert ann.get(url + "&r=x").status_code == 200


@pytest.mark.parametrize("d", ["javascript%3Aalert(1)", "data%3Aimage%2Fpng%3Bbase64%2CAAAA",
                               "%2Frelative.png", "%2F%2Fexample.com%2Fa.png",
                               "https%3A%2F%2Fexample.com%2F%0D%0ASet-Cookie%3A%20a%3Db"])
def test_unusable_d_url_is_refused_with_the_default_image(world, d):
    r = world.get(f"/avatar/{'0' * 32}?d={d}&s=30")
    assert "Location" not in r.headers and "Set-Cookie" not in r.headers
    assert is_mp(r) and f.decode(r.data).width == 30


# (photo rating, r parameter, shown): g < pg < r < x, and r defaults to g.
RATING_TABLE = [
    ("g", None, True), ("pg", None, False), ("r", None, False), ("x", None, False),
    ("g", "g", True), ("pg", "g", False),
    ("g", "pg", True), ("pg", "pg", True), ("r", "pg", False), ("x", "pg", False),
    ("pg", "r", True), ("r", "r", True), ("x", "r", False),
    ("r", "x", True), ("x", "x", True), ("x", "X", True), ("pg", "nc17", False),
]


@pytest.mark.parametrize("photo_rating, r, shown", RATING_TABLE)
@pytest.mark.parametrize("route", ["/alice", f"/avatar/{MD5}"])
@pytest.mark.parametrize("name", ["r", "rating"])
def test_a_picture_rated_above_r_is_replaced_by_the_default(world, photo_rating, r, shown,
                                                           route, name):
    rated(world, photo_rating)
    got = world.get(route + "?s=24" + (f"&{name}={r}" if r else ""))
    assert shows_photo(got) is shown
    if not shown:
        assert is_mp(got)


def test_a_rated_out_picture_takes_the_asked_default(world):
    rated(world, "x")
    assert world.get("/alice?r=pg&d=404").status_code == 404
    r = world.get(f"/avatar/{MD5}.png?r=pg&d=identicon&s=20")
    assert same_pixels(r.data, generate("identicon", MD5, 20, "png"))


@pytest.mark.parametrize("qs, forced", [
    ("f=y", True), ("f=yes", True), ("f=TRUE", True), ("f=1", True), ("forcedefault=y", True),
    ("forcedefault=Yes", True), ("f=n", False), ("f=0", False), ("forcedefault=false", False),
])
def test_forced_default(ann, qs, forced):
    for route in ("/alice", f"/avatar/{MD5}"):
        r = ann.get(f"{route}?{qs}&s=24")
        assert is_mp(r) if forced else shows_photo(r), (route, qs)


def test_forced_default_does_not_look_the_entry_up(ann):
    ann.metadata.calls.clear()
    ann.cache.delete("rm:user:alice")
    assert is_mp(ann.get("/alice?f=y"))
    assert ann.metadata.calls == []


@pytest.mark.parametrize("url, letters", [
    ("/alice.png?d=initials&f=y", "alice"),                       # the username
    ("/alice.png?d=initials&f=y&name=Ada+Lovelace", "AL"),        # name= beats the username
    ("/alice.png?d=initials&f=y&initials=QZ&name=Ada+Lovelace", "QZ"),
    (f"/avatar/{MD5}.png?d=initials&f=y", "alice"),               # the account of the address
    (f"/avatar/{MD5}.png?d=initials&f=y&name=Grace+Hopper", "GH"),
    (f"/avatar/{'0' * 32}.png?d=initials", None),                 # nobody: "?"
    ("/nobody.png?d=initials", "nobody"),
])
def test_initials(ann, url, letters):
    seed = url.split("/")[-1].split(".")[0]
    if len(seed) not in (32, 64):
        seed = hashlib.md5(seed.encode()).hexdigest()
    r = ann.get(url + "&s=64")
    assert same_pixels(r.data, generate("initials", seed, 64, "png", initials=letters))
    # The letters matter: the same seed with other letters is another picture.
    assert not same_pixels(r.data, generate("initials", seed, 64, "png", initials="WW"))
