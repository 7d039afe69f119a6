"""blank: a fully transparent square (JPEG callers get it flattened onto white)."""
from __future__ import annotations

from shared.images.vips import pyvips


def draw(seed: str, size: int):
    return pyvips.Image.black(size, size, bands=4).copy(interpretation="srgb")
