"""On-the-fly renderings: any box, any stored format, always sanitized.

Everything goes through libvips' thumbnail, which shrinks on load (JPEG DCT scaling, WebP
scaled decode), so a large source never costs a full-size decode for a small output.
"""
from __future__ import annotations

from . import ImageRejected
from .formats import encode, to_srgb
from .vips import UNBOUNDED, pyvips

FITS = ("contain", "cover", "square")


def load(source: bytes, width: int, height: int, *, size: str = "down", crop: str = "none"):
    """Decode the first frame into `width`×`height`, upright (EXIF orientation applied), in sRGB.

    Corrupt input raises ImageRejected(422)."""
    try:
        options = {}
        if "icc-profile-data" in pyvips.Image.new_from_buffer(source, "").get_fields():
            # Only tagged images need converting; an sRGB→sRGB transform would double the cost.
            options["export_profile"] = "srgb"
        image = pyvips.Image.thumbnail_buffer(
            source, width, height=height, size=size, crop=crop,
            option_string="fail_on=error", **options)
        return to_srgb(image)
    except pyvips.Error as e:
        raise rejection(e) from None


def rejection(e: Exception) -> Exception:
    """What a libvips error means: running out of memory is the machine's state, not the
    image's (MemoryError: retry later, elsewhere); anything else is corrupt input."""
    if "memory" in str(e).lower():
        return MemoryError(f"libvips: {str(e)[:200]}")
    return ImageRejected(422, "corrupt_image", "The image data is corrupt or truncated.")


def render(source: bytes, *, width: int | None, height: int | None, fit: str, fmt: str) -> bytes:
    """`contain`: inside the box, aspect kept, never enlarged (either side may be None).
    `cover`: exactly the box, centre-cropped, enlarged if the source is smaller.
    `square`: cover with width == height (one given side is enough)."""
    if fit == "contain":
        image = load(source, width or UNBOUNDED, height or UNBOUNDED, size="down")
    elif fit in ("cover", "square"):
        if fit == "square":
            width = height = width or height
        if not width or not height:
            raise ValueError(f"fit={fit!r} needs both width and height")
        # Avatars must be exactly s×s, so a small source is enlarged rather than letterboxed.
        image = load(source, width, height, size="both", crop="centre")
    else:
        raise ValueError(f"unknown fit {fit!r}")
    return encode_or_reject(image, fmt)


def sanitize(original: bytes, fmt: str, max_side: int = UNBOUNDED) -> bytes:
    """The original re-encoded clean, at most `max_side` on its longest side: what is
    served until variants exist, and as `size=original`.

    The bound is what keeps a tiny file of 7071×7071 pixels (a few KB of PNG) from costing a
    50-megapixel decode and encode per request: thumbnail shrinks while it streams."""
    return encode_or_reject(load(original, max_side, max_side, size="down"), fmt)


def encode_or_reject(image, fmt: str, **options) -> bytes:
    """encode (options: its keywords), a libvips failure turned into what it means."""
    try:
        return encode(image, fmt, **options)
    except pyvips.Error as e:
        # Decoding is lazy, so a corrupt body may only surface while encoding.
        raise rejection(e) from None
