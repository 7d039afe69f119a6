"""Generated default avatars: Gravatar's `d=` kinds in our own designs, and `mp`.

Every kind is drawn at the requested size (signed distance fields or exact integer grids, see
canvas.py), deterministic for a seed and size, and the design itself does not depend on the
size, so a 2048 px avatar shrunk to 80 px looks like the 80 px one. Pixels are numpy arrays;
Pillow encodes them (encoding.py) and libvips rasterises the letters of `initials`.
"""
from __future__ import annotations

import numpy as np

from shared.images.vips import pyvips

from . import blank, color, identicon, monsterid, mp, retro, robohash, wavatar
from . import initials as initials_kind
from .encoding import encode

# The kinds drawn from a seed; `mp` (the same silhouette for everybody) is drawn here too but is
# not a kind of its own in the `d=` vocabulary (params.py keeps it apart with `mm`, 404, a URL).
KINDS = ("identicon", "monsterid", "wavatar", "retro", "robohash", "blank", "initials", "color")
MP = "mp"
MAX_SIZE = 2048

_DRAW = {
    "identicon": identicon.draw,
    "monsterid": monsterid.draw,
    "wavatar": wavatar.draw,
    "retro": retro.draw,
    "robohash": robohash.draw,
    "blank": blank.draw,
    "color": color.draw,
    MP: mp.draw,
}


def generate(kind: str, seed: str, size: int, fmt: str, *, initials: str | None = None) -> bytes:
    """Encoded avatar. seed: the hex hash the avatar stands for; size: 1–2048 (the caller clamps);
    initials: what is known of the person's name, only used by the `initials` kind."""
    return encode(pixels(kind, seed, size, initials=initials), fmt)


def draw(kind: str, seed: str, size: int, *, initials: str | None = None) -> pyvips.Image:
    """The avatar as an 8-bit sRGB pyvips image (RGBA for blank, RGB otherwise); kind is one of
    KINDS or MP."""
    array = pixels(kind, seed, size, initials=initials)
    height, width, bands = array.shape
    # new_from_memory wraps the array without a copy (~0.05 ms) and keeps it alive.
    return pyvips.Image.new_from_memory(np.ascontiguousarray(array).data, width, height, bands,
                                        "uchar").copy(interpretation="srgb")


def pixels(kind: str, seed: str, size: int, *, initials: str | None = None) -> np.ndarray:
    """The avatar as size × size × bands uint8 (RGBA for blank, RGB otherwise)."""
    if kind not in _DRAW and kind != "initials":
        raise ValueError(f"unknown avatar kind {kind!r}")
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"size must be 1..{MAX_SIZE}, got {size}")
    if kind == "initials":
        return initials_kind.draw(seed, size, initials)
    return _DRAW[kind](seed, size)
