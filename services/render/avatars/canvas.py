"""Drawing at the requested size with numpy: shapes as signed distance fields, and exact
integer grids.

Shapes are described in unit coordinates (0..1 across the square) so a design is the same at
every size; only the rasterisation depends on the size. Edges are anti-aliased by turning the
signed distance into coverage over a one-pixel ramp, which keeps a 2048 px avatar as crisp as a
16 px one. Nothing is rasterised from SVG (svgload is blocked as untrusted) and nothing is an
enlarged bitmap.

Why numpy rather than libvips: an 80 px avatar is 6,400 pixels, so the cost is per operation,
not per pixel. A libvips operation costs ~0.1 ms of setup (a monsterid took ~16 ms as a
pipeline of them); a numpy operation on a shape's few hundred pixels costs a few µs. Each shape
is evaluated only inside its box, on a row of x and a column of y that numpy broadcasts, so
pixel work at 2048 px stays proportional to the ink.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]          # x0, y0, x1, y1 in unit coordinates
# (x, y) of pixel centres in unit coordinates: x a 1×w row, y an h×1 column (broadcast).
Sdf = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Shape:
    """A signed distance function (negative inside, in unit coordinates) plus a box that holds
    its ink, so the canvas evaluates a shape only where it can draw."""
    box: Box
    sdf: Sdf

    def __or__(self, other: Shape) -> Shape:
        return Shape(_union_box(self.box, other.box),
                     lambda x, y: np.minimum(self.sdf(x, y), other.sdf(x, y)))

    def __and__(self, other: Shape) -> Shape:
        return Shape(_intersect_box(self.box, other.box),
                     lambda x, y: np.maximum(self.sdf(x, y), other.sdf(x, y)))


def _union_box(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _intersect_box(a: Box, b: Box) -> Box:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def ellipse(cx: float, cy: float, rx: float, ry: float) -> Shape:
    # q = (dx/rx)² + (dy/ry)² is 1 on the rim; (q - 1)·k/2 matches the true distance to first
    # order there, which is all a one-pixel ramp needs, and avoids a square root.
    k = min(rx, ry)

    def sdf(x, y):
        px, py = (x - cx) / rx, (y - cy) / ry
        return (px * px + py * py - 1) * (k / 2)

    return Shape((cx - rx, cy - ry, cx + rx, cy + ry), sdf)


def circle(cx: float, cy: float, r: float) -> Shape:
    return ellipse(cx, cy, r, r)


def rect(x0: float, y0: float, x1: float, y1: float, radius: float = 0.0) -> Shape:
    """Axis-aligned box with optionally rounded corners."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - radius, (y1 - y0) / 2 - radius

    def sdf(x, y):
        qx, qy = np.abs(x - cx) - hx, np.abs(y - cy) - hy
        inside = np.maximum(qx, qy)
        if radius <= 0:
            # Exact inside and along the sides; only the outer corners are approximate.
            return inside
        ox, oy = np.maximum(qx, 0), np.maximum(qy, 0)
        # Distance from the inner box's corner outside it, the (negative) depth inside.
        return np.sqrt(ox * ox + oy * oy) - radius + np.minimum(inside, 0)

    return Shape((x0, y0, x1, y1), sdf)


def segment(ax: float, ay: float, bx: float, by: float, r: float) -> Shape:
    """A stroke of half-width r with round caps (limbs, antennae, closed eyes)."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy or 1e-12

    def sdf(x, y):
        px, py = x - ax, y - ay
        h = np.clip((px * (dx / length2) + py * (dy / length2)), 0, 1)
        ox, oy = px - h * dx, py - h * dy
        return np.sqrt(ox * ox + oy * oy) - r

    return Shape((min(ax, bx) - r, min(ay, by) - r, max(ax, bx) + r, max(ay, by) + r), sdf)


def polygon(points: Sequence[tuple[float, float]]) -> Shape:
    """Convex polygon, points clockwise on screen (y down). The max of the edge half-plane
    distances is exact along edges, which is all the anti-aliasing needs."""
    edges = []
    for (ax, ay), (bx, by) in zip(points, list(points[1:]) + [points[0]]):
        nx, ny = by - ay, ax - bx           # outward for clockwise order with y down
        n = math.hypot(nx, ny)
        edges.append((nx / n, ny / n, -(nx * ax + ny * ay) / n))

    def sdf(x, y):
        d = None
        for nx, ny, off in edges:
            e = x * nx + (y * ny + off)
            d = e if d is None else np.maximum(d, e)
        return d

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Shape((min(xs), min(ys), max(xs), max(ys)), sdf)


def ring(cx: float, cy: float, r: float, width: float) -> Shape:
    """Circle outline of radius r; cut it with below()/above() for smiles and closed eyes."""
    def sdf(x, y):
        px, py = (x - cx) / r, (y - cy) / r
        # Distance to the circle, first order (see ellipse), then to the stroke around it.
        return np.abs((px * px + py * py - 1) * (r / 2)) - width / 2

    return Shape((cx - r - width, cy - r - width, cx + r + width, cy + r + width), sdf)


def stripes(x0: float, y0: float, x1: float, y1: float, period: float, width: float) -> Shape:
    """Vertical bars of the given width, one every period, starting half a period in from x0
    (grilles, teeth), clipped to the box."""
    def sdf(x, y):
        phase = np.mod((x - x0) / period, 1.0)
        return np.abs(phase - 0.5) * period - width / 2

    return Shape((x0, y0, x1, y1), sdf) & rect(x0, y0, x1, y1)


def mirrored(shape: Shape, axis: float = 0.5) -> Shape:
    """The shape and its reflection across the vertical line x = axis, as one shape: a pair of
    eyes costs the operations of one."""
    x0, y0, x1, y1 = shape.box
    sign = 1.0 if (x0 + x1) / 2 >= axis else -1.0

    def sdf(x, y):
        # Fold the plane onto the shape's side of the axis.
        return shape.sdf(axis + sign * np.abs(x - axis), y)

    return Shape((min(x0, 2 * axis - x1), y0, max(x1, 2 * axis - x0), y1), sdf)


def below(line: float) -> Shape:
    """Everything under the horizontal line y = line (y grows downwards)."""
    return Shape((-1.0, line, 2.0, 2.0), lambda x, y: line - y)


def above(line: float) -> Shape:
    return Shape((-1.0, -1.0, 2.0, line), lambda x, y: y - line)


class Canvas:
    """An opaque sRGB square that shapes are painted onto in order (later on top)."""

    def __init__(self, size: int, background: RGB):
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        # Pixel centres in unit coordinates; float32 halves the memory traffic and is exact
        # enough for a ramp one pixel in 2048 wide.
        self._centres = (np.arange(size, dtype=np.float32) + 0.5) / size
        self.image = np.empty((size, size, 3), np.float32)
        self.image[:] = background

    def fill(self, shape: Shape, colour: RGB) -> None:
        left, top, right, bottom = self._pixel_box(shape.box)
        if right <= left or bottom <= top:
            return
        x = self._centres[left:right][None, :]
        y = self._centres[top:bottom][:, None]
        # Signed distance in pixels → coverage 0..1 across a one-pixel ramp on the edge.
        # (Plain ufuncs with out=: np.clip and broadcast_to cost more than the pixel work.)
        coverage = shape.sdf(x, y) * -self.size
        coverage += 0.5
        np.maximum(coverage, 0, out=coverage)
        np.minimum(coverage, 1, out=coverage)
        patch = self.image[top:bottom, left:right]
        ink = np.subtract(colour, patch, dtype=np.float32)
        ink *= coverage[:, :, None]      # a 1×w or h×1 coverage broadcasts over the patch
        patch += ink

    def _pixel_box(self, box: Box) -> tuple[int, int, int, int]:
        s = self.size
        # One pixel of slack each side for the anti-aliasing ramp.
        left = max(0, int(box[0] * s) - 1)
        top = max(0, int(box[1] * s) - 1)
        right = min(s, int(box[2] * s) + 2)
        bottom = min(s, int(box[3] * s) + 2)
        return left, top, right, bottom

    def result(self) -> np.ndarray:
        """size × size × 3 uint8, rounded."""
        return (self.image + 0.5).astype(np.uint8)


def solid(size: int, colour: RGB) -> np.ndarray:
    image = np.empty((size, size, 3), np.uint8)
    image[:] = colour
    return image


def grid(size: int, cells: Sequence[Sequence[int]], palette: Sequence[RGB],
         margin: float = 0.0) -> np.ndarray:
    """Paint an n×n grid of palette indices as exact pixel-aligned rectangles.

    Cell edges fall at round(size × fraction), so the cells tile the square with no gaps or
    overlaps at any size (neighbouring cells differ by at most one pixel). margin is the width
    of the border, in cells, painted with palette[0].
    """
    n = len(cells)
    span = n + 2 * margin
    # Half-up rounding: round() goes to even, which makes alternate cells a pixel wider.
    edges = [math.floor(size * (margin + i) / span + 0.5) for i in range(n + 1)]
    # Index n stands for the margin on both axes.
    axis = np.full(size, n, np.intp)
    for i in range(n):
        axis[edges[i]:edges[i + 1]] = i
    # (row, column) → colour, with the margin row/column as background.
    colours = np.empty((n + 1, n + 1, 3), np.uint8)
    colours[:] = palette[0]
    lut = np.asarray(palette, np.uint8)
    colours[:n, :n] = lut[np.asarray(cells, np.intp)]
    return colours[axis[:, None], axis[None, :]]
