"""Drawing at the requested size with libvips arithmetic: shapes as signed distance fields, and
exact integer grids.

Shapes are described in unit coordinates (0..1 across the square) so a design is the same at
every size; only the rasterisation depends on the size. Edges are anti-aliased by turning the
signed distance into coverage over a one-pixel ramp, which keeps a 2048 px avatar as crisp as a
16 px one. Nothing is rasterised from SVG (svgload is blocked as untrusted) and nothing is an
enlarged bitmap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from shared.images.vips import pyvips

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]          # x0, y0, x1, y1 in unit coordinates


@dataclass(frozen=True)
class Dist:
    """A signed distance (negative inside, in unit coordinates) as image × scale + offset.

    The affine tail is kept symbolic so the canvas folds it into the one linear that turns
    distance into coverage: every pyvips operation costs ~0.1 ms of setup, which dominates
    small avatars.
    """
    image: "pyvips.Image"
    scale: float = 1.0
    offset: float = 0.0

    def value(self) -> "pyvips.Image":
        if self.scale == 1.0 and self.offset == 0.0:
            return self.image
        return self.image.linear(self.scale, self.offset)


Sdf = Callable[["pyvips.Image"], Dist]      # from a 2-band image of unit (x, y) coordinates


@dataclass(frozen=True)
class Shape:
    """A signed distance function plus a box that holds its ink.

    The box lets the canvas evaluate a shape only where it can draw, so small details cost
    little even at 2048 px.
    """
    box: Box
    sdf: Sdf

    def __or__(self, other: "Shape") -> "Shape":
        return Shape(_union_box(self.box, other.box),
                     lambda xy: Dist(self.sdf(xy).value().minpair(other.sdf(xy).value())))

    def __and__(self, other: "Shape") -> "Shape":
        return Shape(_intersect_box(self.box, other.box),
                     lambda xy: Dist(self.sdf(xy).value().maxpair(other.sdf(xy).value())))


def _union_box(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _intersect_box(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def ellipse(cx: float, cy: float, rx: float, ry: float) -> Shape:
    # q = (dx/rx)² + (dy/ry)² is 1 on the rim; (q - 1)·k/2 matches the true distance to first
    # order there, which is all a one-pixel ramp needs, and avoids a square root.
    k = min(rx, ry)

    def sdf(xy):
        p = xy.linear([1 / rx, 1 / ry], [-cx / rx, -cy / ry])
        half_q = (p * p).bandmean()
        return Dist(half_q, k, -k / 2)

    return Shape((cx - rx, cy - ry, cx + rx, cy + ry), sdf)


def circle(cx: float, cy: float, r: float) -> Shape:
    return ellipse(cx, cy, r, r)


def rect(x0: float, y0: float, x1: float, y1: float, radius: float = 0.0) -> Shape:
    """Axis-aligned box with optionally rounded corners."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - radius, (y1 - y0) / 2 - radius

    def sdf(xy):
        q = xy.linear([1, 1], [-cx, -cy]).abs().linear([1, 1], [-hx, -hy])
        inside = q[0].maxpair(q[1])
        if radius <= 0:
            # Exact inside and along the sides; only the outer corners are approximate.
            return Dist(inside)
        corner = q.clamp(min=0, max=4)
        # √(mean of squares) · √2 is the distance from the inner box's corner.
        outside = (corner * corner).bandmean() ** 0.5
        return Dist(outside.linear(2 ** 0.5, -radius) + inside.clamp(min=-4, max=0))

    return Shape((x0, y0, x1, y1), sdf)


def segment(ax: float, ay: float, bx: float, by: float, r: float) -> Shape:
    """A stroke of half-width r with round caps (limbs, antennae, closed eyes)."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy or 1e-12

    def sdf(xy):
        p = xy.linear([1, 1], [-ax, -ay])
        h = p.recomb([[dx / length2, dy / length2]]).clamp(min=0, max=1)
        off = p - h.linear([dx, dy], [0, 0])
        return Dist((off * off).bandmean() ** 0.5, 2 ** 0.5, -r)

    return Shape((min(ax, bx) - r, min(ay, by) - r, max(ax, bx) + r, max(ay, by) + r), sdf)


def polygon(points: Sequence[tuple[float, float]]) -> Shape:
    """Convex polygon, points clockwise on screen (y down). The max of the edge half-plane
    distances is exact along edges, which is all the anti-aliasing needs."""
    normals, offsets = [], []
    for (ax, ay), (bx, by) in zip(points, list(points[1:]) + [points[0]]):
        nx, ny = by - ay, ax - bx           # outward for clockwise order with y down
        n = (nx * nx + ny * ny) ** 0.5
        normals.append([nx / n, ny / n])
        offsets.append(-(nx * ax + ny * ay) / n)

    def sdf(xy):
        edges = xy.recomb(normals).linear([1] * len(offsets), offsets)
        d = edges[0]
        for i in range(1, len(offsets)):
            d = d.maxpair(edges[i])
        return Dist(d)

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Shape((min(xs), min(ys), max(xs), max(ys)), sdf)


def ring(cx: float, cy: float, r: float, width: float) -> Shape:
    """Circle outline of radius r; cut it with below()/above() for smiles and closed eyes."""
    def sdf(xy):
        p = xy.linear([1 / r, 1 / r], [-cx / r, -cy / r])
        # Distance to the circle, first order (see ellipse), then to the stroke around it.
        return Dist((p * p).bandmean().linear(r, -r / 2).abs(), 1.0, -width / 2)

    return Shape((cx - r - width, cy - r - width, cx + r + width, cy + r + width), sdf)


def stripes(x0: float, y0: float, x1: float, y1: float, period: float, width: float) -> Shape:
    """Vertical bars of the given width, one every period, starting half a period in from x0
    (grilles, teeth), clipped to the box."""
    def sdf(xy):
        # Position within the period as 0..1: libvips' remainder truncates a float divisor
        # to an integer, so divide first and take the remainder by 1.
        phase = xy[0].linear(1 / period, -x0 / period).remainder_const(1)
        return Dist(phase.linear(1, -0.5).abs(), period, -width / 2)

    return Shape((x0, y0, x1, y1), sdf) & rect(x0, y0, x1, y1)


def mirrored(shape: Shape, axis: float = 0.5) -> Shape:
    """The shape and its reflection across the vertical line x = axis, as one shape: a pair of
    eyes costs the operations of one."""
    x0, y0, x1, y1 = shape.box
    sign = 1.0 if (x0 + x1) / 2 >= axis else -1.0

    def sdf(xy):
        # Fold the plane onto the shape's side of the axis (y is never negative, so abs
        # leaves it alone).
        return shape.sdf(xy.linear([1, 1], [-axis, 0]).abs().linear([sign, 1], [axis, 0]))

    return Shape((min(x0, 2 * axis - x1), y0, max(x1, 2 * axis - x0), y1), sdf)


def below(line: float) -> Shape:
    """Everything under the horizontal line y = line (y grows downwards)."""
    return Shape((-1.0, line, 2.0, 2.0), lambda xy: Dist(xy[1], -1.0, line))


def above(line: float) -> Shape:
    return Shape((-1.0, -1.0, 2.0, line), lambda xy: Dist(xy[1], 1.0, -line))


# Below this size pixel work is negligible next to per-operation setup, so shapes are evaluated
# over the whole canvas instead of being cropped to their box and inserted back.
WHOLE_CANVAS_UP_TO = 256


class Canvas:
    """An opaque sRGB square that shapes are painted onto in order (later on top)."""

    def __init__(self, size: int, background: RGB):
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        # Pixel centres in unit coordinates, x and y as two bands.
        self._xy = (pyvips.Image.xyz(size, size) + 0.5) / size
        self.image = solid(size, background)

    def fill(self, shape: Shape, colour: RGB) -> None:
        if self.size <= WHOLE_CANVAS_UP_TO:
            self.image = self._paint(shape, colour, self._xy, self.image)
            return
        left, top, right, bottom = self._pixel_box(shape.box)
        if right <= left or bottom <= top:
            return
        width, height = right - left, bottom - top
        patch = self._paint(shape, colour, self._xy.crop(left, top, width, height),
                            self.image.crop(left, top, width, height))
        self.image = self.image.insert(patch, left, top)

    def _paint(self, shape: Shape, colour: RGB, xy, under):
        dist = shape.sdf(xy)
        # Signed distance in pixels → coverage 0..255 across a one-pixel ramp centred on the
        # edge, i.e. 255·(0.5 − d·size). The cast to uchar clips both ends of the ramp and
        # truncates, hence the extra 0.5 to round (else float noise turns 255 into 254).
        k = 255 * self.size
        coverage = dist.image.linear(-k * dist.scale, 128 - k * dist.offset).cast("uchar")
        return coverage.ifthenelse(list(colour), under, blend=True)

    def _pixel_box(self, box: Box) -> tuple[int, int, int, int]:
        s = self.size
        # One pixel of slack each side for the anti-aliasing ramp.
        left = max(0, int(box[0] * s) - 1)
        top = max(0, int(box[1] * s) - 1)
        right = min(s, int(box[2] * s) + 2)
        bottom = min(s, int(box[3] * s) + 2)
        return left, top, right, bottom

    def result(self) -> "pyvips.Image":
        return self.image.cast("uchar").copy(interpretation="srgb")


def solid(size: int, colour: RGB) -> "pyvips.Image":
    return (pyvips.Image.black(size, size) + list(colour)).cast("uchar").copy(
        interpretation="srgb")


def grid(size: int, cells: Sequence[Sequence[int]], palette: Sequence[RGB],
         margin: float = 0.0) -> "pyvips.Image":
    """Paint an n×n grid of palette indices as exact pixel-aligned rectangles.

    Cell edges fall at round(size × fraction), so the cells tile the square with no gaps or
    overlaps at any size (neighbouring cells differ by at most one pixel). margin is the width
    of the border, in cells, painted with palette[0].
    """
    n = len(cells)
    span = n + 2 * margin
    # Index n stands for the margin on both axes.
    # Half-up rounding: round() goes to even, which makes alternate cells a pixel wider.
    edges = [math.floor(size * (margin + i) / span + 0.5) for i in range(n + 1)]
    axis = [n] * size
    for i in range(n):
        axis[edges[i]:edges[i + 1]] = [i] * (edges[i + 1] - edges[i])

    # Flattened (row, column) → palette index, with the margin row/column as background.
    m = n + 1
    flat = [0] * (m * m)
    for r in range(n):
        for c in range(n):
            flat[r * m + c] = cells[r][c]
    red, green, blue = (
        pyvips.Image.new_from_array([[palette[i][band] for i in flat]]).cast("uchar")
        for band in range(3)
    )
    lut = red.bandjoin([green, blue])

    axis_lut = pyvips.Image.new_from_array([axis]).cast("uchar")
    xyz = pyvips.Image.xyz(size, size).cast("ushort")
    column = xyz[0].maplut(axis_lut)
    row = xyz[1].maplut(axis_lut)
    index = (row.cast("ushort") * m + column).cast("uchar")
    return index.maplut(lut).copy(interpretation="srgb")
