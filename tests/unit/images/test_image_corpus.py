"""The shared hostile corpus through the image pipeline: every refusal with its code, every
accepted file sanitized into the picture it must look like."""
import pytest

from shared.images import ImageRejected
from shared.images.probe import probe
from shared.images.variants import make_variants
from tests import imagefactory as f
from tests.hostile import corpus

LIMITS = dict(max_pixels=50_000_000, max_frames=200)
CASES = corpus.cases()
REFUSED = [c for c in CASES if c.status >= 400]
ACCEPTED = [c for c in CASES if c.status == 201]


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused(case):
    with pytest.raises(ImageRejected) as caught:
        probe(case.data, **LIMITS)
    assert caught.value.status == case.status
    if case.code:
        assert caught.value.code == case.code


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted_and_sanitized(case):
    shown = case.display
    info = probe(case.data, **LIMITS)
    assert (info.width, info.height) == (shown["width"], shown["height"])
    large = [v for v in make_variants(case.data) if v.name == "large"]
    assert large
    for v in large:
        assert (v.width, v.height) == (shown["width"], shown["height"])
        assert f.metadata_fields(v.data) == []
        image = f.decode(v.data)
        w, h = v.width, v.height
        # Sample well inside each quadrant, away from JPEG ringing at the borders.
        boxes = [(x, y, w // 4, h // 4) for y in (h // 8, 5 * h // 8) for x in (w // 8, 5 * w // 8)]
        for box, want in zip(boxes, shown["quadrants"]):
            got = f.mean_colour(image, box)[:3]
            if case.name == "cmyk.jpg":
                # The corpus assumes a naive CMYK→RGB; libvips converts untagged CMYK through a
                # real press profile, whose gamut dulls saturated colours. Same hue, not value.
                if min(want) > 200:
                    assert min(got) > 200, (v.fmt, box, got)
                else:
                    assert got.index(max(got)) == want.index(max(want)), (v.fmt, box, got, want)
            else:
                assert f.close(got, want, 25), (v.fmt, box, got, want)
