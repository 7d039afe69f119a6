"""The corpus must really contain what it claims, or the tests that use it prove nothing."""
import io

import pytest
from PIL import ExifTags, Image, ImageOps

from tests.hostile import corpus

CASES = {c.name: c for c in corpus.cases()}


def _quadrant_colours(im: Image.Image) -> list[tuple]:
    w, h = im.size
    im = im.convert("RGB")
    return [im.getpixel((x, y)) for x, y in ((w // 4, h // 4), (3 * w // 4, h // 4),
                                             (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))]


@pytest.mark.parametrize("n", range(1, 9))
def test_orientation_files_display_the_reference(n):
    im = Image.open(io.BytesIO(CASES[f"orientation_{n}.jpg"].data))
    assert im.getexif()[ExifTags.Base.Orientation] == n
    shown = ImageOps.exif_transpose(im)
    assert shown.size == (corpus.W, corpus.H)
    for got, want in zip(_quadrant_colours(shown), corpus.QUADRANTS):
        assert max(abs(a - b) for a, b in zip(got, want)) < 30
    if n in (5, 6, 7, 8):
        assert im.size == (corpus.H, corpus.W)  # stored sideways


def test_gps_file_carries_gps():
    exif = Image.open(io.BytesIO(CASES["gps.jpg"].data)).getexif()
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_bombs_are_what_they_claim():
    assert len(CASES["megabytes_of_metadata.jpg"].data) > 1024 * 1024
    assert Image.open(io.BytesIO(CASES["thousands_of_frames.gif"].data)).n_frames == 3000
    with pytest.raises(Image.DecompressionBombError):  # Pillow agrees it is a bomb
        Image.open(io.BytesIO(CASES["bomb_header.jpg"].data))
    assert Image.open(io.BytesIO(CASES["cmyk.jpg"].data)).mode == "CMYK"


def test_every_refusal_and_acceptance_is_stated():
    for case in CASES.values():
        assert case.status in (201, 413, 415, 422)
        assert (case.display is not None) == (case.status == 201)


def test_metadata_cases_carry_their_markers():
    for name, marker in (("gps.jpg", b"OnePicTestCam"), ("megabytes_of_metadata.jpg", b"xmpmeta"),
                         ("metadata.webp", b"OnePicTestCam"), ("text_chunks.png", b"<script>"),
                         ("comment.gif", b"<script>"), ("polyglot_jpeg_html.jpg", b"<html")):
        assert marker in CASES[name].data and marker in corpus.MARKERS, name
    assert Image.open(io.BytesIO(CASES["display_p3.jpg"].data)).info.get("icc_profile")
