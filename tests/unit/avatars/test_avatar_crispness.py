"""Drawn at the requested size: sharp one-pixel edges at 2048 px, not an enlarged bitmap."""
from __future__ import annotations

import pytest

from services.render.avatars import draw, generate
from tests.unit.avatars.avatar_pixels import MD5, SHA256, decode, edge_stats, rgb

ANALYTIC = ["monsterid", "wavatar", "robohash", "initials"]
GRIDS = ["identicon", "retro"]
# Edges one pixel wide leave few neighbouring pixels different (measured ≈0.1–0.5 %), with
# near-full-contrast steps between them; an 80 px render enlarged to 2048 differs over
# 2–6 % of pixels, in steps of at most ~15 levels.
MAX_CHANGING = 0.01
MIN_STEP = 100


def crisp(image) -> bool:
    changing, step = edge_stats(image)
    return changing < MAX_CHANGING and step >= MIN_STEP


@pytest.mark.parametrize("kind", ANALYTIC + GRIDS)
def test_edges_are_one_pixel_wide_at_2048(kind):
    assert crisp(decode(generate(kind, MD5, 2048, "png", initials="AL")))


@pytest.mark.parametrize("kind", ["monsterid", "initials", "identicon"])
@pytest.mark.parametrize("kernel", ["linear", "lanczos3"])
def test_the_measure_rejects_an_enlarged_small_render(kind, kernel):
    small = draw(kind, MD5, 80, initials="AL")
    assert not crisp(small.resize(2048 / 80, kernel=kernel))


@pytest.mark.parametrize("kind", ["monsterid", "wavatar", "robohash"])
def test_edges_are_anti_aliased(kind):
    # Between the flat colours there are in-between pixels (coverage of a partly covered
    # pixel), not a staircase of whole pixels.
    image = rgb(draw(kind, SHA256, 512))
    assert _colour_bins(image, 64) > 40


@pytest.mark.parametrize("kind", GRIDS)
def test_grids_have_no_in_between_colours(kind):
    # Exact rectangle fills: only the palette's colours (background plus one or two inks).
    image = rgb(draw(kind, MD5, 2048))
    assert _colour_bins(image, 64) <= 3


def _colour_bins(image, bins: int) -> int:
    """How many cells of a bins³ RGB histogram are used."""
    histogram = image.hist_find_ndim(bins=bins)
    return round((histogram > 0).avg() / 255 * bins ** 3)
