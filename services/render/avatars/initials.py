"""initials: up to two capital letters centred on the seed's colour.

The caller passes what it knows about the person (an `initials=` value, a `name=`, or the
username). Several words give the first letters of the first and last word ("Ada Lovelace" →
"AL", "john_doe" → "JD"); one word gives its first two characters ("jd" → "JD"). Only Latin,
Greek and Cyrillic letters and digits are drawn: other scripts may be missing from the
server's fonts and would come out as boxes.

When nothing drawable is left (no name known, as for an /avatar/<hash> nobody claimed, or only
punctuation, emoji or another script) the avatar shows "?": hash characters would read as a
meaningless code, and the background colour already tells seeds apart.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from shared.images.vips import pyvips

from .palette import ink_on, seed_colour

FALLBACK = "?"
FONT = "sans bold"
# Letters take at most this share of the square (height of the ink, width of the ink).
MAX_HEIGHT, MAX_WIDTH = 0.42, 0.7
# Below this the rasteriser's hinting distorts the letters; draw at this size and shrink.
SMALLEST_DRAWN = 32
_REFERENCE_DPI = 72
_REFERENCE_POINTS = 100


def letters(source: str | None) -> str:
    words = [w for w in re.split(r"[\W_]+", source or "") if w and _drawable(w[0])]
    if not words:
        return FALLBACK
    if len(words) > 1:
        picked = words[0][0] + words[-1][0]
    else:
        picked = words[0][:2]
    return "".join(c for c in picked.upper() if _drawable(c))[:2] or FALLBACK


def _drawable(char: str) -> bool:
    # Scripts every stock "sans" font (DejaVu, Liberation, Noto Sans) covers; anything else
    # could come out as a missing-glyph box.
    name = unicodedata.name(char, "")
    return name.startswith(("LATIN ", "GREEK ", "CYRILLIC ", "DIGIT "))


def draw(seed: str, size: int, initials: str | None = None) -> np.ndarray:
    background = np.asarray(seed_colour(seed), np.float32)
    ink = np.asarray(ink_on(seed_colour(seed)), np.float32)
    coverage = _coverage(letters(initials), size)
    return (background + (ink - background) * coverage + 0.5).astype(np.uint8)


def _coverage(text: str, size: int) -> np.ndarray:
    """The letters' ink as size × size × 1 coverage 0..1, centred. Rasterising text (pango)
    costs milliseconds, so small masks are kept: the letters and size repeat across seeds (an
    /avatar/<hash> nobody claimed always shows "?"), only the colours change."""
    if size <= CACHED_UP_TO:
        return _cached_coverage(text, size)
    return _rasterise(text, size)


# A 256 px mask is 256 KiB as float32; 256 of them at most 64 MiB, usually a few KiB.
CACHED_UP_TO = 256


@lru_cache(maxsize=256)
def _cached_coverage(text: str, size: int) -> np.ndarray:
    mask = _rasterise(text, size)
    mask.flags.writeable = False
    return mask


def _rasterise(text: str, size: int) -> np.ndarray:
    drawn = max(size, SMALLEST_DRAWN)
    ref_width, ref_height = _reference_ink(text)
    scale = min(MAX_HEIGHT * drawn / ref_height, MAX_WIDTH * drawn / ref_width)
    # pyvips' text() is cropped to the ink, so centring the image centres the letters.
    mask = pyvips.Image.text(text, font=f"{FONT} {_REFERENCE_POINTS}",
                             dpi=max(1, round(_REFERENCE_DPI * scale)))
    if mask.width > drawn or mask.height > drawn:
        mask = mask.crop(0, 0, min(mask.width, drawn), min(mask.height, drawn))
    mask = mask.embed((drawn - mask.width) // 2, (drawn - mask.height) // 2, drawn, drawn)
    if drawn != size:
        # Shrinking the mask and then colouring equals colouring and then shrinking: the
        # colouring is affine in the coverage.
        mask = mask.resize(size / drawn)
        if (mask.width, mask.height) != (size, size):     # rounding of the scale
            mask = mask.crop(0, 0, min(mask.width, size), min(mask.height, size)).embed(
                0, 0, size, size)
    array = np.ndarray((size, size, 1), np.uint8, mask.write_to_memory())
    return array.astype(np.float32) / 255


@lru_cache(maxsize=4096)
def _reference_ink(text: str) -> tuple[int, int]:
    """Ink size of the text at the reference dpi; the real dpi is scaled from it."""
    mask = pyvips.Image.text(text, font=f"{FONT} {_REFERENCE_POINTS}", dpi=_REFERENCE_DPI)
    return max(1, mask.width), max(1, mask.height)
