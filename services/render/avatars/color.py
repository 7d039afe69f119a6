"""color: the seed's colour, solid."""
from __future__ import annotations

from .canvas import solid
from .palette import seed_colour


def draw(seed: str, size: int):
    return solid(size, seed_colour(seed))
