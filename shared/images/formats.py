"""What we accept (recognised by magic bytes only) and how we write each output format."""
from __future__ import annotations

from .vips import pyvips

JPEG_QUALITY = 82
WEBP_QUALITY = 80
# Effort 2 encodes about 3× faster than the default 4 for files within a few percent of the
# size; the encode is the largest part of making variants once decoding is shrunk on load.
WEBP_EFFORT = 2
WHITE = [255, 255, 255]


def sniff(head: bytes) -> str | None:
    """The real format of an upload from its first bytes, whatever its name or Content-Type."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def encode(image: pyvips.Image, fmt: str, *, optimize_coding: bool = True,
           webp_effort: int = WEBP_EFFORT) -> bytes:
    """Encode sRGB pixels with every piece of metadata dropped (EXIF incl. GPS, XMP, IPTC, ICC).

    The pixels are already sRGB, so dropping the ICC profile loses nothing and browsers assume
    sRGB for untagged images. optimize_coding: a second pass over a JPEG for Huffman tables
    of its own (about 10 % fewer bytes, twice the encode); webp_effort: 0 (fastest) to 6.
    """
    if fmt == "jpeg":
        if image.hasalpha():
            image = image.flatten(background=WHITE)
        return image.jpegsave_buffer(Q=JPEG_QUALITY, optimize_coding=optimize_coding,
                                     keep="none")
    if fmt == "png":
        return image.pngsave_buffer(compression=6, keep="none")
    if fmt == "webp":
        return image.webpsave_buffer(Q=WEBP_QUALITY, effort=webp_effort, keep="none")
    raise ValueError(f"unknown output format {fmt!r}")


def to_srgb(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB (keeping any alpha), whatever the decoder produced (grey, 16-bit, CMYK…)."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    return image.cast("uchar") if image.format != "uchar" else image
