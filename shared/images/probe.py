"""Admission checks for an upload: real format, pixel and frame caps, and a decodable body.

The header is read first so a decompression bomb is refused before any pixel is decoded.
"""
from __future__ import annotations

from . import ImageInfo, ImageRejected
from .formats import sniff
from .vips import pyvips

# Orientations 5–8 turn the image a quarter turn, so the displayed width is the stored height.
_QUARTER_TURNS = {5, 6, 7, 8}
_CHECK_SIZE = 64


def probe(data: bytes, *, max_pixels: int, max_frames: int) -> ImageInfo:
    if not data:
        raise ImageRejected(422, "empty_file", "The uploaded file is empty.")
    fmt = sniff(data[:16])
    if fmt is None:
        raise ImageRejected(415, "unsupported_media_type",
                            "Only JPEG, PNG, WebP and GIF images are accepted.")
    try:
        header = pyvips.Image.new_from_buffer(data, "", access="sequential")
        fields = set(header.get_fields())
        loader = header.get("vips-loader")
        frames = header.get("n-pages") if "n-pages" in fields else 1
        orientation = header.get("orientation") if "orientation" in fields else 1
    except pyvips.Error:
        raise ImageRejected(422, "corrupt_image", "The image could not be read.") from None
    if not loader.startswith(fmt):
        # libvips recognised something other than what the magic bytes said: refuse ambiguity.
        raise ImageRejected(415, "unsupported_media_type", "The image format is ambiguous.")
    if header.width * header.height * frames > max_pixels:
        raise ImageRejected(422, "too_many_pixels",
                            f"The image has more than {max_pixels} pixels.")
    if frames > max_frames:
        raise ImageRejected(422, "too_many_frames",
                            f"The animation has more than {max_frames} frames.")
    _check_decodes(data, fmt)
    width, height = header.width, header.height
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return ImageInfo(format=fmt, width=width, height=height, frames=frames,
                     alpha=bool(header.hasalpha()))


def _check_decodes(data: bytes, fmt: str) -> None:
    """Decode the whole body at a tiny size: a truncated or corrupt file fails here, at upload,
    rather than later in the resizer where nobody can be told.

    A JPEG is decoded by its own loader at ⅛ scale (libjpeg's DCT scaling: every coefficient
    is still read and checked, only the inverse transform is smaller) and nothing more; the
    other formats go through thumbnail, which picks their cheapest load. The same loader and
    fail_on as thumbnail's, without its resize and colour steps: 9.6 against 12.2 ms of CPU
    for a 2 MP JPEG."""
    try:
        if fmt == "jpeg":
            image = pyvips.Image.new_from_buffer(data, "", shrink=8, fail_on="error")
        else:
            image = pyvips.Image.thumbnail_buffer(data, _CHECK_SIZE, size="down",
                                                  option_string="fail_on=error")
        image.avg()  # libvips is lazy: make it actually run the decoder
    except pyvips.Error:
        raise ImageRejected(422, "corrupt_image", "The image data is corrupt or truncated.") from None
