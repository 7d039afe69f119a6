"""retro: an 8-bit style sprite, an 8×8 mirror-symmetric grid in two colours plus background,
edge to edge."""
from __future__ import annotations

from .canvas import grid
from .palette import Dice, hsl

CELLS = 8


def draw(seed: str, size: int):
    dice = Dice(seed)
    hue = dice.unit()
    background = hsl(hue + 0.5, 0.25, 0.92)
    main = hsl(hue, dice.between(0.55, 0.85), dice.between(0.35, 0.5))
    accent = hsl(hue + dice.pick((0.12, 0.33, 0.5, -0.12)), 0.7, 0.6)
    half = CELLS // 2
    # Background, background, main, accent: about half the cells stay empty, like a sprite.
    weights = (0, 0, 1, 2)
    cells = [[weights[dice.below(4)] for _ in range(half)] for _ in range(CELLS)]
    mirrored = [row + row[::-1] for row in cells]
    return grid(size, mirrored, [background, main, accent])
