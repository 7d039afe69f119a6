"""Which stored image a rendering starts from: the smallest named variant that covers the
requested box, else the original (when it is bigger than every variant), else the largest
variant. Pure functions of the read model's PhotoView."""
from __future__ import annotations

from shared.images import VARIANTS, stored_formats
from shared.readmodel import PhotoView

ORIGINAL = "original"
# Smallest first, so the first covering variant is the cheapest to decode.
_BY_SIZE = sorted(VARIANTS.items(), key=lambda kv: kv[1])


def variant_scale(view: PhotoView, name: str) -> float:
    """The variant's size relative to the (oriented) original; variants are never upscaled."""
    longest = max(view["width"], view["height"])
    return min(1.0, VARIANTS[name] / longest)


def needed_scale(view: PhotoView, width: int | None, height: int | None, fit: str) -> float:
    """How large, relative to the original, the output is (so a source must be ≥ this)."""
    w, h = view["width"], view["height"]
    if fit == "square":
        return width / min(w, h)
    sx = width / w if width else None
    sy = height / h if height else None
    if sx is None:
        return sy
    if sy is None:
        return sx
    return max(sx, sy) if fit == "cover" else min(sx, sy)


def source_format(view: PhotoView, name: str) -> str | None:
    """A stored format of variant `name` to decode from, or None if it does not exist yet.
    The lossless/fast-decoding primary format is preferred over WebP."""
    fmts = view.get("variants", {}).get(name)
    if not fmts:
        return None
    for fmt in stored_formats(bool(view.get("alpha"))):
        if fmt in fmts:
            return fmt
    return fmts[0]


def choose(view: PhotoView, width: int | None, height: int | None, fit: str) -> tuple[str, str | None]:
    """(variant name or ORIGINAL, the variant's format to read or None for the original)."""
    need = needed_scale(view, width, height, fit) - 1e-9
    existing = [(n, f) for n, _ in _BY_SIZE if (f := source_format(view, n))]
    for name, fmt in existing:
        if variant_scale(view, name) >= need:
            return name, fmt
    if not existing or variant_scale(view, existing[-1][0]) < 1.0:
        return ORIGINAL, None  # before any variant exists, or the original is bigger
    return existing[-1]
