"""The initials kind: which letters, where they go, and that they read against the colour."""
from __future__ import annotations

import pytest

from services.render.avatars import draw, generate
from services.render.avatars.initials import letters
from services.render.avatars.palette import seed_colour
from tests.unit.avatars.avatar_pixels import (
    MD5,
    SEEDS,
    SHA256,
    decode,
    mean_abs_diff,
    rgb,
    same_pixels,
)


@pytest.mark.parametrize("given,expected", [
    ("Ada Lovelace", "AL"), ("Jean-Luc Picard", "JP"), ("john_doe", "JD"), ("jd", "JD"),
    ("x", "X"), ("Zoë Ünal", "ZÜ"), ("Анна Каренина", "АК"), ("  ada  ", "AD"),
    ("<b>&amp;", "BA"),
    (None, "?"), ("", "?"), ("!!", "?"), ("😀", "?"), ("李 小龙", "?"), ("李 Bo", "BO"),
])
def test_letters(given, expected):
    assert letters(given) == expected


def test_different_initials_give_different_pictures():
    ab, xy = draw("initials", MD5, 80, initials="AB"), draw("initials", MD5, 80, initials="XY")
    assert mean_abs_diff(ab, xy) > 5


def test_no_name_shows_the_fallback_glyph():
    none = decode(generate("initials", MD5, 64, "png"))
    assert same_pixels(none, decode(generate("initials", MD5, 64, "png", initials="")))
    assert same_pixels(none, decode(generate("initials", MD5, 64, "png", initials="?")))
    assert mean_abs_diff(none, decode(generate("initials", MD5, 64, "png", initials="AB"))) > 3


def test_background_is_the_seed_colour_like_the_color_kind():
    image = draw("initials", SHA256, 64, initials="AL")
    assert tuple(image(0, 0)) == seed_colour(SHA256)
    assert same_pixels(image.crop(0, 0, 64, 4), draw("color", SHA256, 64).crop(0, 0, 64, 4))


@pytest.mark.parametrize("size", [16, 80, 2048])
@pytest.mark.parametrize("text", ["AL", "W", "JQ"])
def test_letters_are_centred_and_sized_to_the_square(size, text):
    image = draw("initials", MD5, size, initials=text)
    left, top, width, height = image.find_trim(threshold=40, background=list(image(0, 0)))
    assert abs(left + width / 2 - size / 2) <= max(1.0, 0.03 * size)
    assert abs(top + height / 2 - size / 2) <= max(1.0, 0.03 * size)
    assert 0.3 * size <= height <= 0.5 * size
    assert width <= 0.75 * size


@pytest.mark.parametrize("seed", SEEDS)
def test_letters_contrast_with_the_background(seed):
    image = rgb(draw("initials", seed, 80, initials="HM"))
    background = tuple(image(0, 0))
    # The letter pixel least like the background: the ink itself.
    distance = (image.cast("float") - list(background)).abs().bandmean()
    _, x, y = distance.maxpos()
    assert _wcag_contrast(tuple(image(int(x), int(y))), background) > 3.5


def _wcag_contrast(a, b) -> float:
    def luminance(colour):
        lin = [(c / 255 / 12.92) if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
               for c in colour]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
