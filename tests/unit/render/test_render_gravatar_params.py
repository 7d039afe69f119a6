"""Every spelling of Gravatar's d/f/r/name/initials parameters, parsed to what they mean."""
import pytest

from services.render import params
from services.render.avatars import KINDS


def parse(qs: str) -> params.AvatarParams:
    return params.avatar_params(params.query(qs))


@pytest.mark.parametrize("qs, kind", [
    ("", "mp"), ("s=40", "mp"), ("d=", "mp"), ("d=mp", "mp"), ("d=mm", "mp"), ("d=MM", "mp"),
    ("default=mp", "mp"), ("d=404", "404"), ("default=404", "404"),
    ("d=identicon", "identicon"), ("default=Identicon", "identicon"),
    ("d=monsterid", "monsterid"), ("d=wavatar", "wavatar"), ("d=retro", "retro"),
    ("d=robohash", "robohash"), ("d=blank", "blank"), ("d=initials", "initials"),
    ("d=color", "color"), ("d=retro&default=wavatar", "retro"),   # d wins over default
    ("d=sparkles", "mp"), ("d=pagan", "mp"),                       # unknown → the default image
])
def test_default_keywords(qs, kind):
    p = parse(qs)
    assert p.default == kind and p.redirect is None


def test_every_generated_kind_is_a_keyword():
    assert {parse(f"d={k}").default for k in KINDS} == set(KINDS)


@pytest.mark.parametrize("qs, location", [
    ("d=https%3A%2F%2Fexample.com%2Fa.png", "https://example.com/a.png"),
    ("d=http://example.com/a.png", "http://example.com/a.png"),          # sent unencoded
    ("default=HTTPS%3A%2F%2Fexample.com%2Fa.png", "HTTPS://example.com/a.png"),
    ("d=https%3A%2F%2Fexample.com%2Fa%2520b.png", "https://example.com/a%20b.png"),  # once only
    ("d=https%3A%2F%2Fexample.com%2Fa+b.png", "https://example.com/a%20b.png"),     # + is a space
    ("d=https%3A%2F%2Fexample.com%2F%C3%A9.png", "https://example.com/%C3%A9.png"),  # non-ASCII
    ("d=https%3A%2F%2Fexample.com%2Fa%5C..%5Cb.png", "https://example.com/a%5C..%5Cb.png"),
    ("d=https%3A%2F%2F%5B%3A%3A1%5D%3A8080%2Fa.png", "https://[::1]:8080/a.png"),
])
def test_absolute_http_urls_redirect(qs, location):
    p = parse(qs)
    assert p.default == params.REDIRECT and p.redirect == location


@pytest.mark.parametrize("d", [
    "javascript:alert(1)", "javascript%3Aalert(1)", "JaVaScRiPt:alert(1)//http://x",
    "data:image/png;base64,AAAA", "ftp://example.com/a.png", "file:///etc/passwd",
    "/relative/a.png", "a.png", "//example.com/a.png", "https:/example.com/a.png",
    "https://", "https:///a.png", "https%3A%2F%2F%5B%3A%3A1%2Fa.png",      # unbalanced [
    "https%3A%2F%2Fexample.com%2F%0D%0ASet-Cookie%3A%20x%3Dy",           # header injection
    "https%3A%2F%2Fexample.com%2F%00", "https://example.com/" + "a" * 2048,
])
def test_anything_but_an_absolute_http_url_is_the_default_image(d):
    p = parse("d=" + d)
    assert p.default == "mp" and p.redirect is None


@pytest.mark.parametrize("qs, forced", [
    ("f=y", True), ("f=Y", True), ("f=yes", True), ("f=YES", True), ("f=true", True),
    ("f=True", True), ("f=1", True), ("forcedefault=y", True), ("forcedefault=1", True),
    ("", False), ("f=", False), ("f=n", False), ("f=no", False), ("f=0", False),
    ("f=false", False), ("f=yess", False), ("f=n&forcedefault=y", False),   # f wins
])
def test_force_default_spellings(qs, forced):
    assert parse(qs).force_default is forced


@pytest.mark.parametrize("qs, rating", [
    ("", "g"), ("r=g", "g"), ("r=pg", "pg"), ("r=R", "r"), ("r=x", "x"), ("rating=pg", "pg"),
    ("rating=X", "x"), ("r=pg&rating=x", "pg"), ("r=nc17", "g"), ("r=", "g"),
])
def test_rating_spellings(qs, rating):
    assert parse(qs).rating == rating


@pytest.mark.parametrize("qs, initials", [
    ("", None), ("name=Ada+Lovelace", "Ada Lovelace"), ("initials=AL", "AL"),
    ("initials=XY&name=Ada+Lovelace", "XY"), ("initials=&name=Ada", "Ada"), ("name=", None),
])
def test_initials_come_from_initials_then_name(qs, initials):
    assert parse(qs).initials == initials


def test_every_option_together():
    p = parse("s=64&d=identicon&f=y&r=pg&name=Ada")
    assert p == params.AvatarParams(64, "identicon", True, "pg", None, "Ada")
