"""Only our four decoders are reachable: the probe refuses other formats before libvips sees a
byte, and even bytes handed straight to libvips cannot reach another loader (TIFF, SVG, PDF,
HEIF, CSV, matrix, .v …) because every loader but JPEG/PNG/WebP/GIF is blocked process-wide."""
import io

import pytest
from PIL import Image

from shared.images import ImageRejected
from shared.images.probe import probe
from shared.images.vips import pyvips
from tests import imagefactory as f
from tests.hostile import corpus

CASES = {c.name: c for c in corpus.cases()}
FOREIGN = {
    "tiff": CASES["scan.tiff"].data,
    "svg": CASES["drawing.svg"].data,
    "pdf": CASES["document.pdf"].data,
    "bmp": CASES["bitmap.bmp"].data,
}


def _own_format(suffix: str) -> bytes:
    return pyvips.Image.black(4, 4).write_to_buffer(suffix)


# libvips' own formats, written by its savers: its sniffing would happily accept them.
FOREIGN.update(csv=_own_format(".csv"), matrix=_own_format(".mat"),
               tiff_by_vips=_own_format(".tif"))


@pytest.fixture
def no_loader(monkeypatch):
    """Fail the test if anything asks libvips to decode."""
    def refuse(*args, **kwargs):
        raise AssertionError("a libvips loader was reached")
    for name in ("new_from_buffer", "thumbnail_buffer", "new_from_source", "new_from_file"):
        monkeypatch.setattr(pyvips.Image, name, refuse)


@pytest.mark.parametrize("name", ["tiff", "svg", "pdf", "bmp"])
def test_probe_refuses_foreign_formats_before_any_loader(no_loader, name):
    with pytest.raises(ImageRejected) as caught:
        probe(FOREIGN[name], max_pixels=50_000_000, max_frames=200)
    assert (caught.value.status, caught.value.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize("name", sorted(FOREIGN))
@pytest.mark.parametrize("load", [
    lambda data: pyvips.Image.new_from_buffer(data, "").avg(),
    lambda data: pyvips.Image.thumbnail_buffer(data, 16).avg(),
], ids=["new_from_buffer", "thumbnail_buffer"])
def test_libvips_itself_cannot_decode_foreign_formats(name, load):
    with pytest.raises(pyvips.Error):
        load(FOREIGN[name])


def test_named_foreign_loaders_are_blocked_too():
    with pytest.raises(pyvips.Error):
        pyvips.Image.tiffload_buffer(FOREIGN["tiff"])


@pytest.mark.parametrize("data, loader", [
    (f.solid_jpeg(8, 8), "jpegload_buffer"), (f.solid_png(8, 8), "pngload_buffer"),
    (f.solid_webp(8, 8), "webpload_buffer"), (f.solid_gif(8, 8), "gifload_buffer"),
])
def test_the_four_formats_still_load(data, loader):
    assert pyvips.Image.new_from_buffer(data, "").get("vips-loader") == loader


def test_tiff_wearing_jpeg_magic_is_not_decoded_as_tiff():
    """Sniffed as JPEG, so only the JPEG decoder may look at it — and it is not a JPEG."""
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "TIFF")
    with pytest.raises(ImageRejected) as caught:
        probe(b"\xff\xd8\xff" + buf.getvalue(), max_pixels=50_000_000, max_frames=200)
    assert caught.value.status == 422
