"""Every named variant of an image from a single decode.

The original is decoded once, shrunk on load straight to the largest variant, and each smaller
variant is made from the one before it (held in memory), so the cost is one decode at ≤1024 px
plus cheap reductions — not one full decode per variant.
"""
from __future__ import annotations

from . import VARIANTS, WEBP_STORED_UP_TO, Variant, encoder_options, variant_formats
from .transform import encode_or_reject, load, rejection
from .vips import pyvips

LARGEST = max(VARIANTS.values())


def make_variants(original: bytes, webp_up_to: int = WEBP_STORED_UP_TO,
                  options=encoder_options) -> list[Variant]:
    """webp_up_to: the largest side stored in WebP too; options(fmt, side): the encoder's
    keywords (the bench compares settings of both)."""
    image = load(original, LARGEST, LARGEST, size="down")
    try:
        image = image.copy_memory()
    except pyvips.Error as e:  # libvips is lazy: the decode actually runs here
        raise rejection(e) from None
    alpha = bool(image.hasalpha())
    full_w, full_h = image.width, image.height
    out: list[Variant] = []
    for name, side in sorted(VARIANTS.items(), key=lambda item: -item[1]):
        # Sizes come from the first decode, not the previous step, so rounding never drifts
        # and each variant matches a direct thumbnail of the original. Never enlarged.
        scale = min(1.0, side / max(full_w, full_h))
        width, height = max(1, round(full_w * scale)), max(1, round(full_h * scale))
        if (width, height) != (image.width, image.height):
            image = _shrink(image, width, height)
        for fmt in variant_formats(alpha, side, webp_up_to):
            out.append(Variant(name=name, fmt=fmt, width=width, height=height,
                               data=encode_or_reject(image, fmt, **options(fmt, side))))
    return out


def _shrink(image, width: int, height: int):
    """Reduce an in-memory image to exactly width×height.

    Alpha is premultiplied in float so colour under semi-transparent pixels neither bleeds nor
    loses precision from step to step (libvips' uchar round trip drifts with each reduction)."""
    hscale, vscale = width / image.width, height / image.height
    if image.hasalpha():
        shrunk = image.premultiply().resize(hscale, vscale=vscale).unpremultiply()
        shrunk = (shrunk + 0.5).cast("uchar")  # cast truncates; round instead
    else:
        shrunk = image.resize(hscale, vscale=vscale)
    return shrunk.copy(interpretation="srgb").copy_memory()
