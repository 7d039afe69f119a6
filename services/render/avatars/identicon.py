"""identicon: a 5×5 mirror-symmetric pattern of square cells in one colour on light grey."""
from __future__ import annotations

from .canvas import grid
from .palette import Dice, hsl

CELLS = 5
BACKGROUND = (240, 240, 240)


def draw(seed: str, size: int):
    dice = Dice(seed)
    colour = hsl(dice.unit(), dice.between(0.45, 0.75), dice.between(0.4, 0.55))
    half = (CELLS + 1) // 2
    cells = [[1 if dice.chance(0.5) else 0 for _ in range(half)] for _ in range(CELLS)]
    if not any(any(row) for row in cells):
        # An empty pattern would be indistinguishable between seeds: light the spine.
        for row in cells:
            row[half - 1] = 1
    mirrored = [row + row[half - 2::-1] for row in cells]
    return grid(size, mirrored, [BACKGROUND, colour], margin=0.5)
