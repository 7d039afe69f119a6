import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.render import params
from services.render.http import none_match
from services.render.params import PhotoParams
from shared.errors import ApiError


@pytest.mark.parametrize("qs, size", [
    ("", 80), ("s=100", 100), ("size=40", 40), ("s=0", 1), ("s=-7", 1), ("s=5000", 2048),
    ("s=2048", 2048), ("s=abc", 80), ("s=", 80), ("s=1.5", 80), ("s=9" * 5000, 80),
    ("s=30&size=60", 30),
])
def test_avatar_size_is_clamped_and_defaults_to_80(qs, size):
    assert params.avatar_params(params.query(qs)).size == size


@pytest.mark.parametrize("qs, expected", [
    ("", PhotoParams("large")),
    ("size=thumbnail", PhotoParams("thumbnail", explicit=True)),
    ("size=original", PhotoParams("original", explicit=True)),
    ("w=300", PhotoParams(None, 300, None, "contain", True)),
    ("h=9999", PhotoParams(None, None, 2048, "contain", True)),
    ("w=0&h=50&fit=cover", PhotoParams(None, 1, 50, "cover", True)),
    ("w=100&fit=cover", PhotoParams(None, 100, None, "contain", True)),
    ("size=small&w=10", PhotoParams(None, 10, None, "contain", True)),
])
def test_photo_params(qs, expected):
    assert params.photo_params(params.query(qs)) == expected


@pytest.mark.parametrize("qs, code", [
    ("size=huge", "invalid_size"), ("size=", "invalid_size"), ("w=ten", "invalid_dimension"),
    ("h=1e3", "invalid_dimension"), ("fit=stretch", "invalid_fit"),
])
def test_bad_photo_params_are_rejected(qs, code):
    with pytest.raises(ApiError) as caught:
        params.photo_params(params.query(qs))
    assert (caught.value.status, caught.value.code) == (400, code)


@pytest.mark.parametrize("segment, expected", [
    ("alice", ("alice", None)), ("alice.jpg", ("alice", "jpeg")), ("alice.PNG", ("alice", "png")),
    ("alice.webp", ("alice", "webp")), ("alice.gif", None), ("alice.svg", None), (".png", None),
])
def test_split_extension(segment, expected):
    assert params.split_extension(segment) == expected


@pytest.mark.parametrize("ext, accept, alpha, expected", [
    ("png", "image/webp", False, ("png", False)),
    (None, "image/avif,image/webp,*/*", False, ("webp", True)),
    (None, "image/webp;q=0, image/jpeg", False, ("jpeg", True)),
    (None, "image/webp; q=0.5", True, ("webp", True)),
    (None, "*/*", False, ("jpeg", True)),
    (None, "", True, ("png", True)),
])
def test_format_negotiation(ext, accept, alpha, expected):
    assert params.negotiate(ext, accept, alpha) == expected


@pytest.mark.parametrize("header, match", [
    ('"abc"', True), ('W/"abc"', True), ('"x", "abc"', True), ('"x" , W/"abc" ', True),
    ("*", True), ('"abcd"', False), ('"x"', False), ("abc", False),
])
def test_if_none_match_uses_weak_comparison(header, match):
    assert none_match(header, '"abc"') is match


@given(st.text(alphabet="ab=&;s80.-_~dx ", max_size=40))
def test_fast_query_split_agrees_with_parse_qsl(qs):
    from urllib.parse import parse_qsl

    expected: dict[str, str] = {}
    for k, v in parse_qsl(qs, keep_blank_values=True):
        expected.setdefault(k, v)
    assert params.query(qs) == expected
