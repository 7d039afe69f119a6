import pytest

from shared.images.formats import sniff
from tests import imagefactory as f


@pytest.mark.parametrize("head, expected", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    (b"\xff\xd8\xff\xe1\x00\x10Exif", "jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"),
    (b"GIF87a\x01\x00\x01\x00", "gif"),
    (b"GIF89a\x01\x00\x01\x00", "gif"),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),        # RIFF but audio
    (b"GIF88a\x01\x00", None),
    (b"\xff\xd8", None),                            # too short to be a JPEG
    (b"<svg xmlns='http://www.w3.org/2000/svg'>", None),
    (b"<!DOCTYPE html><html>", None),
    (b"%PDF-1.7", None),
    (b"BM6\x00\x00\x00", None),                     # BMP: not accepted
    (b"II*\x00", None),                             # TIFF: not accepted
    (b"", None),
])
def test_sniff_table(head, expected):
    assert sniff(head) == expected


@pytest.mark.parametrize("data, expected", [
    (f.solid_jpeg(4, 4), "jpeg"), (f.solid_png(4, 4), "png"),
    (f.solid_webp(4, 4), "webp"), (f.solid_gif(4, 4), "gif"),
])
def test_sniff_real_encodings(data, expected):
    assert sniff(data[:16]) == expected
