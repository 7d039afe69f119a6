"""Every kind through the public generate(): sizes, formats, determinism, variety."""
from __future__ import annotations

import itertools

import pytest

from services.render.avatars import KINDS, draw, generate
from tests.unit.avatars.avatar_pixels import (
    MD5,
    SEEDS,
    SHA256,
    decode,
    mean_abs_diff,
    rgb,
    same_pixels,
)

DRAWN = [k for k in KINDS if k != "blank"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size", [1, 16, 80])
@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_exact_size_in_every_format(kind, size, fmt):
    image = decode(generate(kind, MD5, size, fmt, initials="Ada Lovelace"))
    assert (image.width, image.height) == (size, size)
    assert image.get("vips-loader").startswith(fmt + "load")


@pytest.mark.parametrize("kind", KINDS)
def test_largest_size(kind):
    image = decode(generate(kind, SHA256, 2048, "png", initials="AL"))
    assert (image.width, image.height) == (2048, 2048)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [MD5, SHA256])
def test_same_seed_and_size_give_identical_pixels(kind, seed):
    first = decode(generate(kind, seed, 80, "png", initials="AL"))
    second = decode(generate(kind, seed, 80, "png", initials="AL"))
    assert same_pixels(first, second)


@pytest.mark.parametrize("kind", DRAWN)
def test_different_seeds_look_different(kind):
    seeds = SEEDS[:12]
    images = [draw(kind, seed, 32, initials="AL") for seed in seeds]
    for (i, a), (j, b) in itertools.combinations(enumerate(images), 2):
        # Mean difference over all pixels and channels, on a 0–255 scale.
        assert mean_abs_diff(a, b) > 4, (seeds[i], seeds[j])


@pytest.mark.parametrize("kind", DRAWN)
def test_the_design_does_not_depend_on_the_size(kind):
    # Same drawing at two resolutions: the big one shrunk matches the small one.
    big = draw(kind, MD5, 640, initials="AL").resize(1 / 8, kernel="linear")
    small = draw(kind, MD5, 80, initials="AL")
    assert mean_abs_diff(big, small) < 6


@pytest.mark.parametrize("kind", KINDS)
def test_jpeg_is_opaque_rgb(kind):
    image = decode(generate(kind, MD5, 40, "jpeg", initials="AL"))
    assert image.bands == 3


@pytest.mark.parametrize("kind", DRAWN)
def test_drawn_kinds_are_opaque_in_png_and_webp(kind):
    for fmt in ("png", "webp"):
        image = decode(generate(kind, MD5, 40, fmt, initials="AL"))
        assert image.bands == 3 or image[3].min() == 255


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_blank_is_fully_transparent(fmt):
    image = decode(generate("blank", MD5, 64, fmt))
    assert image.bands == 4
    assert image[3].max() == 0


def test_blank_as_jpeg_is_white():
    image = decode(generate("blank", MD5, 64, "jpeg"))
    assert image.min() >= 250


def test_color_is_one_solid_colour():
    image = decode(generate("color", MD5, 50, "png"))
    assert all(image[band].min() == image[band].max() for band in range(3))
    assert mean_abs_diff(image, decode(generate("color", SHA256, 50, "png"))) > 4


@pytest.mark.parametrize("kind", DRAWN)
def test_metadata_is_stripped(kind):
    for fmt in ("png", "jpeg", "webp"):
        fields = decode(generate(kind, MD5, 32, fmt, initials="AL")).get_fields()
        assert not [f for f in fields if f in ("exif-data", "xmp-data", "icc-profile-data")]


def test_seed_that_is_not_hex_still_draws():
    image = rgb(draw("identicon", "someone@example.org", 24))
    assert (image.width, image.height) == (24, 24)


@pytest.mark.parametrize("kind,size,fmt", [
    ("sparkles", 80, "png"), ("identicon", 0, "png"), ("identicon", 2049, "png"),
    ("identicon", 80, "gif"),
])
def test_bad_arguments_are_refused(kind, size, fmt):
    with pytest.raises(ValueError):
        generate(kind, MD5, size, fmt)
