"""The drawing primitives: coverage, one-pixel anti-aliasing, exact grids, mirroring."""
from __future__ import annotations

import math

import pytest

from services.render.avatars.canvas import (
    Canvas,
    circle,
    ellipse,
    grid,
    mirrored,
    polygon,
    rect,
    ring,
    segment,
    stripes,
)
from services.render.avatars.palette import Dice
from tests.unit.avatars.avatar_pixels import as_vips, mean_abs_diff

BLACK, WHITE = (0, 0, 0), (255, 255, 255)


def painted(shape, size: int):
    canvas = Canvas(size, BLACK)
    canvas.fill(shape, WHITE)
    return as_vips(canvas.result())[0]


def covered_area(shape, size: int) -> float:
    """Share of the square the shape covers, from the anti-aliased pixels."""
    return painted(shape, size).avg() / 255


def middle_row(image) -> list[int]:
    """First-band values across the middle row."""
    return image.crop(0, image.height // 2, image.width, 1)[0].tolist()[0]


def in_between_pixels(image) -> int:
    return round(((image > 0) & (image < 255)).avg() / 255 * image.width * image.height)


@pytest.mark.parametrize("size", [100, 257, 1000])
def test_circle_covers_its_area(size):
    assert covered_area(circle(0.5, 0.5, 0.3), size) == pytest.approx(math.pi * 0.09, rel=0.01)


def test_circle_edge_is_about_one_pixel_wide():
    size, radius = 800, 0.3
    perimeter = 2 * math.pi * radius * size
    edge = in_between_pixels(painted(circle(0.5, 0.5, radius), size))
    assert 0.7 * perimeter < edge < 1.6 * perimeter


def test_ellipse_covers_its_area():
    area = covered_area(ellipse(0.5, 0.5, 0.4, 0.2), 400)
    assert area == pytest.approx(math.pi * 0.08, rel=0.01)


def test_pixel_aligned_rect_is_exact():
    image = painted(rect(0.25, 0.1, 0.75, 0.6), 100)
    assert in_between_pixels(image) == 0
    assert image.avg() / 255 * 100 * 100 == pytest.approx(50 * 50)
    assert image.crop(25, 10, 50, 50).min() == 255


def test_rounded_rect_loses_its_corners():
    radius = 0.1
    area = covered_area(rect(0.2, 0.2, 0.8, 0.8, radius=radius), 400)
    assert area == pytest.approx(0.36 - (4 - math.pi) * radius ** 2, rel=0.01)


def test_triangle_covers_its_area():
    area = covered_area(polygon([(0.1, 0.9), (0.5, 0.1), (0.9, 0.9)]), 400)
    assert area == pytest.approx(0.5 * 0.8 * 0.8, rel=0.01)


def test_segment_is_a_capsule():
    area = covered_area(segment(0.2, 0.5, 0.8, 0.5, 0.05), 400)
    assert area == pytest.approx(0.6 * 0.1 + math.pi * 0.05 ** 2, rel=0.01)


def test_union_and_intersection():
    a, b = circle(0.4, 0.5, 0.2), circle(0.6, 0.5, 0.2)
    single = covered_area(a, 400)
    union, both = covered_area(a | b, 400), covered_area(a & b, 400)
    assert union + both == pytest.approx(2 * single, rel=0.01)
    assert 0 < both < single < union


def test_ring_is_a_thin_outline():
    area = covered_area(ring(0.5, 0.5, 0.3, 0.04), 400)
    assert area == pytest.approx(2 * math.pi * 0.3 * 0.04, rel=0.02)


def test_stripes_draws_one_bar_per_period():
    image = painted(stripes(0.0, 0.0, 1.0, 1.0, 0.2, 0.05), 200)
    row = [v > 127 for v in middle_row(image)]
    starts = sum(1 for x in range(1, 200) if row[x] and not row[x - 1])
    assert starts == 5


def test_mirrored_shape_is_symmetric():
    image = painted(mirrored(circle(0.7, 0.4, 0.12)), 200)
    assert mean_abs_diff(image, image.fliphor()) < 0.01
    assert image(140, 80)[0] == 255 and image(59, 80)[0] == 255


def test_mirror_axis_can_move():
    image = painted(mirrored(circle(0.7, 0.5, 0.05), axis=0.6), 200)
    assert image(140, 100)[0] == 255 and image(100, 100)[0] == 255
    assert image(60, 100)[0] == 0


def test_shapes_outside_the_square_draw_nothing():
    assert covered_area(circle(1.5, 1.5, 0.2), 300) == 0


@pytest.mark.parametrize("size", list(range(1, 40)) + [80, 2047, 2048])
@pytest.mark.parametrize("margin", [0.0, 0.5])
def test_grid_tiles_the_square_exactly(size, margin):
    n = 5
    cells = [[c + 1 for c in range(n)] for _ in range(n)]     # palette index = column + 1
    palette = [(0, 0, 0)] + [(40 * (c + 1), 0, 0) for c in range(n)]
    image = as_vips(grid(size, cells, palette, margin=margin))
    assert (image.width, image.height) == (size, size)
    row = middle_row(image)
    widths = [row.count(40 * (c + 1)) for c in range(n)]
    assert sum(widths) + row.count(0) == size
    if size >= 2 * n:
        assert max(widths) - min(widths) <= 1
    if margin == 0:
        assert sum(widths) == size


def test_dice_is_deterministic_and_in_range():
    a, b = Dice("abc"), Dice("abc")
    rolls = [a.below(7) for _ in range(200)]     # well past one digest's worth of bytes
    assert rolls == [b.below(7) for _ in range(200)]
    assert set(rolls) == set(range(7))
    assert rolls != [Dice("abd").below(7) for _ in range(200)]
