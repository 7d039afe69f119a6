"""Test images built in memory with pyvips, plus helpers to look at pixels.

Makers return encoded bytes; readers decode bytes so tests assert on pixels, never on bytes.
"""
from __future__ import annotations

import struct
import zlib

from shared.images.vips import pyvips
from tests.hostile.corpus import png_chunk

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
       b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
METADATA_FIELDS = ("exif-data", "xmp-data", "iptc-data", "icc-profile-data")


# --- pixels -----------------------------------------------------------------------------------

def solid(w: int, h: int, colour) -> pyvips.Image:
    """An 8-bit sRGB image of one colour (3 values, or 4 for RGBA)."""
    image = pyvips.Image.black(w, h).new_from_image(list(colour)).cast("uchar")
    return image.copy(interpretation="srgb")


def halves(w: int, h: int, left, right) -> pyvips.Image:
    """Left half one colour, right half another: shows where a rotation moved things."""
    return solid(w // 2, h, left).join(solid(w - w // 2, h, right), "horizontal")


def encode(image: pyvips.Image, fmt: str, **options) -> bytes:
    return image.write_to_buffer(f".{fmt}", **options)


# --- encoded images ---------------------------------------------------------------------------

def solid_jpeg(w: int, h: int, rgb=(200, 40, 40), **options) -> bytes:
    return encode(solid(w, h, rgb), "jpeg", Q=95, **options)


def solid_png(w: int, h: int, rgba=(40, 120, 200, 255)) -> bytes:
    return encode(solid(w, h, rgba), "png")


def solid_webp(w: int, h: int, rgb=(40, 160, 80)) -> bytes:
    return encode(solid(w, h, rgb), "webp", lossless=True)


def solid_gif(w: int, h: int, rgb=(250, 200, 0)) -> bytes:
    return encode(solid(w, h, rgb), "gif")


def halves_jpeg(w: int, h: int, left=(255, 0, 0), right=(0, 0, 255)) -> bytes:
    return encode(halves(w, h, left, right), "jpeg", Q=95)


def animated_gif(w: int, h: int, frames: int, colours=((255, 0, 0), (0, 255, 0), (0, 0, 255))) -> bytes:
    """`frames` pages cycling through `colours`; the first frame is colours[0]."""
    pages = [solid(w, h, colours[i % len(colours)]) for i in range(frames)]
    strip = pyvips.Image.arrayjoin(pages, across=1).copy()
    strip.set_type(pyvips.GValue.gint_type, "page-height", h)
    strip.set_type(pyvips.GValue.array_int_type, "delay", [100] * frames)
    return encode(strip, "gif")


def with_orientation(data: bytes, orientation: int) -> bytes:
    """The same stored pixels as JPEG, tagged with EXIF `orientation` (1–8)."""
    image = pyvips.Image.new_from_buffer(data, "").copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", orientation)
    return encode(image, "jpeg", Q=95)


def with_metadata(image: pyvips.Image, fmt: str = "jpeg", profile: str = "p3") -> bytes:
    """`image` converted into a non-sRGB ICC `profile`, with that profile, EXIF and XMP attached:
    everything a sanitized output must drop while keeping the colours."""
    tagged = image.icc_transform(profile, input_profile="srgb").copy()
    tagged.set_type(pyvips.GValue.gint_type, "orientation", 1)
    tagged.set_type(pyvips.GValue.blob_type, "xmp-data", XMP)
    return encode(tagged, fmt, keep="all")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose valid IHDR claims `width`×`height` but carries almost no pixel data (a bomb's header)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    first_rows = zlib.compress(b"\x00" * 64)  # a few bytes of IDAT so the header parses
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", first_rows)
            + png_chunk(b"IEND", b""))


# --- reading outputs --------------------------------------------------------------------------

def decode(data: bytes) -> pyvips.Image:
    return pyvips.Image.new_from_buffer(data, "")


def loader(data: bytes) -> str:
    """The format libvips recognises: 'jpeg', 'png', 'webp', 'gif'."""
    return decode(data).get("vips-loader").split("load")[0]


def mean_colour(data_or_image, region=None) -> list[float]:
    """Mean of each band, over the whole image or `region` = (left, top, width, height)."""
    image = decode(data_or_image) if isinstance(data_or_image, bytes) else data_or_image.copy_memory()
    if region:
        image = image.crop(*region)
    return [image[b].avg() for b in range(image.bands)]


def close(actual, expected, tolerance: float = 6.0) -> bool:
    return len(actual) >= len(expected) and all(
        abs(a - e) <= tolerance for a, e in zip(actual, expected))


def metadata_fields(data: bytes) -> list[str]:
    fields = decode(data).get_fields()
    return [f for f in METADATA_FIELDS if f in fields]
