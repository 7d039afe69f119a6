import os

import pytest

from shared.images import ImageRejected
from shared.images.probe import probe
from tests import imagefactory as f

LIMITS = dict(max_pixels=50_000_000, max_frames=200)


def rejection(data, **limits) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        probe(data, **{**LIMITS, **limits})
    return caught.value


@pytest.mark.parametrize("data, fmt, alpha", [
    (f.solid_jpeg(30, 20), "jpeg", False),
    (f.solid_png(30, 20, (1, 2, 3, 128)), "png", True),
    (f.solid_webp(30, 20), "webp", False),
    (f.solid_gif(30, 20), "gif", True),   # libvips decodes every GIF as RGBA
])
def test_accepts_each_format(data, fmt, alpha):
    info = probe(data, **LIMITS)
    assert (info.format, info.width, info.height, info.frames, info.alpha) == (fmt, 30, 20, 1, alpha)


def test_orientation_6_reports_displayed_dimensions():
    info = probe(f.with_orientation(f.solid_jpeg(40, 20), 6), **LIMITS)
    assert (info.width, info.height) == (20, 40)


def test_orientation_3_keeps_dimensions():
    info = probe(f.with_orientation(f.solid_jpeg(40, 20), 3), **LIMITS)
    assert (info.width, info.height) == (40, 20)


def test_counts_frames():
    info = probe(f.animated_gif(10, 8, 5), **LIMITS)
    assert (info.format, info.width, info.height, info.frames) == ("gif", 10, 8, 5)


@pytest.mark.parametrize("data", [
    os.urandom(4096),
    b"<!DOCTYPE html><html><body>hello</body></html>",
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x()</script></svg>',
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
])
def test_unknown_formats_are_415(data):
    e = rejection(data)
    assert (e.status, e.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("data", [
    f.solid_jpeg(64, 64)[:200],                 # truncated inside the scan data
    f.solid_jpeg(64, 64)[:-20],                 # missing the end
    f.solid_png(64, 64)[:60],
    b"\xff\xd8\xff" + os.urandom(2000),         # right magic, garbage after it
    b"\x89PNG\r\n\x1a\n" + os.urandom(200),
    b"GIF89a" + os.urandom(100),
    f.png_header_only(100, 100),                # plausible header, no pixels behind it
])
def test_corrupt_bodies_are_422(data):
    e = rejection(data)
    assert (e.status, e.code) == (422, "corrupt_image")


def test_empty_is_422():
    e = rejection(b"")
    assert (e.status, e.code) == (422, "empty_file")


def test_huge_header_dimensions_rejected_before_decoding():
    e = rejection(f.png_header_only(100_000, 100_000))
    assert (e.status, e.code) == (422, "too_many_pixels")


def test_pixel_cap_counts_frames():
    data = f.animated_gif(10, 10, 6)
    assert probe(data, max_pixels=600, max_frames=10).frames == 6
    e = rejection(data, max_pixels=599)
    assert (e.status, e.code) == (422, "too_many_pixels")


def test_frame_cap():
    e = rejection(f.animated_gif(4, 4, 12), max_frames=10)
    assert (e.status, e.code) == (422, "too_many_frames")
