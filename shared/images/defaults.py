"""Generated default pictures.

Drawn with pixel arithmetic at the requested size (anti-aliased edges from a distance field),
so a 16 px favicon and a 2048 px avatar are both crisp; nothing is an enlarged bitmap, and
nothing goes through an SVG loader (those are blocked as untrusted).
"""
from __future__ import annotations

from .formats import encode
from .vips import pyvips

BACKGROUND = 224   # light grey
FIGURE = 160       # mid grey silhouette

# Shapes in unit coordinates (0..1 across the square).
HEAD = (0.5, 0.38, 0.19)              # centre x, centre y, radius
SHOULDERS = (0.5, 1.0, 0.36, 0.34)    # centre x, centre y, radius x, radius y (upper half shows)


def mystery_person(size: int, fmt: str) -> bytes:
    if size < 1:
        raise ValueError("size must be at least 1")
    return encode(_silhouette(size), fmt)


def _silhouette(size: int) -> "pyvips.Image":
    xyz = pyvips.Image.xyz(size, size)
    # Pixel centres in unit coordinates.
    x = (xyz[0] + 0.5) / size
    y = (xyz[1] + 0.5) / size

    hx, hy, hr = HEAD
    head_dist = ((x - hx) ** 2 + (y - hy) ** 2) ** 0.5 - hr

    sx, sy, srx, sry = SHOULDERS
    # Approximate distance to the ellipse edge: good enough for a one-pixel anti-aliased rim.
    ellipse = (((x - sx) / srx) ** 2 + ((y - sy) / sry) ** 2) ** 0.5
    shoulder_dist = (ellipse - 1) * min(srx, sry)

    # Coverage 1 inside, 0 outside, a one-pixel ramp across the edge.
    def coverage(dist):
        ramp = 0.5 - dist * size
        return (ramp > 1).ifthenelse(1, (ramp < 0).ifthenelse(0, ramp))

    head, shoulders = coverage(head_dist), coverage(shoulder_dist)
    figure = (head > shoulders).ifthenelse(head, shoulders)
    grey = BACKGROUND + (FIGURE - BACKGROUND) * figure
    rgb = grey.bandjoin([grey, grey]).cast("uchar")
    return rgb.copy(interpretation="srgb")
