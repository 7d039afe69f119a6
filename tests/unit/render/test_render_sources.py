"""Which stored image a rendering starts from."""
import pytest

from services.render.sources import ORIGINAL, choose

ALL = {n: ["jpeg", "webp"] for n in ("thumbnail", "small", "medium", "large")}


def view(w, h, variants=ALL, alpha=False):
    return {"width": w, "height": h, "alpha": alpha, "variants": variants}


@pytest.mark.parametrize("v, box, expected", [
    # squares compare the variant's shorter side: 4000x2000 → thumbnail is 128x64
    (view(4000, 2000), (64, 64, "square"), ("thumbnail", "jpeg")),
    (view(4000, 2000), (65, 65, "square"), ("small", "jpeg")),
    (view(4000, 2000), (512, 512, "square"), ("large", "jpeg")),
    (view(4000, 2000), (600, 600, "square"), (ORIGINAL, None)),
    # contain: the limiting dimension decides
    (view(4000, 2000), (256, 1000, "contain"), ("small", "jpeg")),
    (view(4000, 2000), (None, 200, "contain"), ("medium", "jpeg")),
    (view(4000, 2000), (300, 300, "cover"), ("large", "jpeg")),
    # an original no bigger than the variants: the largest variant is as good as it gets
    (view(600, 400), (2048, 2048, "square"), ("large", "jpeg")),
    (view(600, 400), (300, None, "contain"), ("medium", "jpeg")),
    # before any variant exists, and when only small ones exist
    (view(4000, 2000, {}), (32, 32, "square"), (ORIGINAL, None)),
    (view(4000, 2000, {"thumbnail": ["jpeg", "webp"]}), (200, 200, "square"), (ORIGINAL, None)),
    (view(4000, 2000, {"small": ["png", "webp"]}, alpha=True), (40, 40, "square"), ("small", "png")),
    (view(4000, 2000, {"small": ["webp"]}), (40, 40, "square"), ("small", "webp")),
])
def test_smallest_covering_source(v, box, expected):
    assert choose(v, *box) == expected
