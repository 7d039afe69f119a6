import pytest

from shared.images import ImageRejected
from shared.images.transform import render, sanitize
from tests import imagefactory as f

BLUE = (30, 60, 220)


@pytest.mark.parametrize("source, width, height, fit, size", [
    ((400, 200), 100, None, "contain", (100, 50)),
    ((400, 200), None, 100, "contain", (200, 100)),
    ((400, 200), 100, 100, "contain", (100, 50)),
    ((400, 200), 1000, 1000, "contain", (400, 200)),     # never enlarged
    ((400, 200), None, None, "contain", (400, 200)),
    ((400, 200), 100, 100, "cover", (100, 100)),
    ((400, 200), 300, 60, "cover", (300, 60)),
    ((400, 200), 80, None, "square", (80, 80)),
    ((40, 30), 200, None, "square", (200, 200)),          # avatars are enlarged to exactly s×s
    ((40, 30), 120, 90, "cover", (120, 90)),
])
def test_output_size(source, width, height, fit, size):
    out = render(f.solid_jpeg(*source, BLUE), width=width, height=height, fit=fit, fmt="jpeg")
    image = f.decode(out)
    assert (image.width, image.height) == size
    assert f.close(f.mean_colour(image), BLUE)


def test_cover_crops_the_centre():
    # 300×100: red | blue; a square cover keeps the middle third, which straddles the split.
    out = render(f.halves_jpeg(300, 100), width=50, height=50, fit="cover", fmt="png")
    left, right = f.mean_colour(out, (0, 0, 20, 50)), f.mean_colour(out, (30, 0, 20, 50))
    assert f.close(left, (255, 0, 0), 12) and f.close(right, (0, 0, 255), 12)


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_formats_and_metadata_stripped(fmt):
    out = render(f.with_metadata(f.solid(200, 200, BLUE)), width=64, height=64, fit="square",
                 fmt=fmt)
    assert f.loader(out) == fmt
    assert f.metadata_fields(out) == []
    assert f.close(f.mean_colour(out)[:3], BLUE)


def test_jpeg_flattens_alpha_onto_white():
    out = render(f.solid_png(50, 50, (0, 0, 0, 0)), width=50, height=50, fit="square", fmt="jpeg")
    image = f.decode(out)
    assert image.bands == 3 and f.close(f.mean_colour(image), (255, 255, 255))


@pytest.mark.parametrize("fmt", ["png", "webp"])
def test_alpha_kept(fmt):
    out = render(f.solid_png(50, 50, (0, 200, 0, 60)), width=20, height=None, fit="contain", fmt=fmt)
    assert f.close(f.mean_colour(out), (0, 200, 0, 60))


def test_orientation_applied():
    out = render(f.with_orientation(f.halves_jpeg(200, 100), 8), width=None, height=None,
                 fit="contain", fmt="png")
    # Orientation 8 turns it 90° anticlockwise: the right half (blue) ends up on top.
    image = f.decode(out)
    assert (image.width, image.height) == (100, 200)
    assert f.close(f.mean_colour(image, (0, 0, 100, 90)), (0, 0, 255), 12)
    assert f.close(f.mean_colour(image, (0, 110, 100, 90)), (255, 0, 0), 12)


def test_sanitize_keeps_full_size_and_drops_metadata():
    data = f.with_orientation(f.with_metadata(f.solid(300, 120, BLUE)), 6)
    out = sanitize(data, "webp")
    image = f.decode(out)
    assert (image.width, image.height) == (120, 300)
    assert f.metadata_fields(out) == []
    assert f.close(f.mean_colour(image), BLUE)


def test_bad_arguments():
    data = f.solid_jpeg(10, 10)
    with pytest.raises(ValueError):
        render(data, width=10, height=None, fit="cover", fmt="jpeg")
    with pytest.raises(ValueError):
        render(data, width=10, height=10, fit="stretch", fmt="jpeg")
    with pytest.raises(ValueError):
        render(data, width=10, height=10, fit="contain", fmt="bmp")


def test_corrupt_source_is_422():
    with pytest.raises(ImageRejected) as caught:
        render(f.solid_jpeg(100, 100)[:200], width=10, height=10, fit="cover", fmt="png")
    assert caught.value.status == 422
