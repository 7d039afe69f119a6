"""mp ("mystery person"): the same grey silhouette for everybody, drawn on the canvas the
generated kinds use (so it is as crisp at 2048 px as at 16 px)."""
from __future__ import annotations

from .canvas import Canvas, circle, ellipse

BACKGROUND = (224, 224, 224)   # light grey
FIGURE = (160, 160, 160)       # mid grey silhouette

# Shapes in unit coordinates (0..1 across the square).
HEAD = (0.5, 0.38, 0.19)              # centre x, centre y, radius
SHOULDERS = (0.5, 1.0, 0.36, 0.34)    # centre x, centre y, radius x, radius y (upper half shows)


def draw(seed: str, size: int):
    """seed is ignored: mp looks the same for everybody."""
    canvas = Canvas(size, BACKGROUND)
    canvas.fill(circle(*HEAD) | ellipse(*SHOULDERS), FIGURE)
    return canvas.result()
