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

from shared.images.vips import pyvips

from .canvas import solid
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


def draw(seed: str, size: int, initials: str | None = None):
    text = letters(initials)
    drawn = max(size, SMALLEST_DRAWN)
    image = _compose(seed, drawn, text)
    if drawn != size:
        image = image.resize(size / drawn)
    return image


def _compose(seed: str, size: int, text: str):
    background = seed_colour(seed)
    ink_colour = ink_on(background)
    ref_width, ref_height = _reference_ink(text)
    scale = min(MAX_HEIGHT * size / ref_height, MAX_WIDTH * size / ref_width)
    # pyvips' text() is cropped to the ink, so centring the image centres the letters.
    mask = pyvips.Image.text(text, font=f"{FONT} {_REFERENCE_POINTS}",
                             dpi=max(1, round(_REFERENCE_DPI * scale)))
    if mask.width > size or mask.height > size:
        mask = mask.crop(0, 0, min(mask.width, size), min(mask.height, size))
    mask = mask.embed((size - mask.width) // 2, (size - mask.height) // 2, size, size)
    return mask.ifthenelse(list(ink_colour), solid(size, background), blend=True).copy(
        interpretation="srgb")


@lru_cache(maxsize=4096)
def _reference_ink(text: str) -> tuple[int, int]:
    """Ink size of the text at the reference dpi; the real dpi is scaled from it."""
    mask = pyvips.Image.text(text, font=f"{FONT} {_REFERENCE_POINTS}", dpi=_REFERENCE_DPI)
    return max(1, mask.width), max(1, mask.height)
