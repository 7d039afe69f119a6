"""Fuzzing admission: mutated JPEG/PNG/GIF/WebP files (bit flips, truncations, cut-outs,
inserted bytes, header dimension edits) and noise behind real magic numbers.

Whatever the input, the probe answers with ImageInfo or ImageRejected (415/422) — never another
exception, never a crash — and whatever it admits, the resizer and render can then process
without error: a file that passed admission must not fail later, where nobody can be told.
Bounded (a few seconds); random each run, and a failure prints the input to replay it.
"""
from hypothesis import HealthCheck, event, given, settings

from shared.images import ImageRejected
from shared.images.probe import probe
from shared.images.transform import render
from shared.images.variants import make_variants
from tests.hostile.mutate import any_body

LIMITS = dict(max_pixels=4_000_000, max_frames=10)
FUZZ = settings(max_examples=1500, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(any_body())
def test_probe_answers_or_refuses_and_admitted_files_process(data):
    try:
        info = probe(data, **LIMITS)
    except ImageRejected as e:
        # A property test: refusing is one allowed outcome, so no pytest.raises.
        assert e.status in (415, 422) and e.code and e.message  # noqa: PT017
        event(f"refused {e.code}")  # --hypothesis-show-statistics shows what was explored
        return
    event(f"admitted {info.format}")
    assert info.format in ("jpeg", "png", "webp", "gif")
    assert info.width >= 1 and info.height >= 1 and 1 <= info.frames <= LIMITS["max_frames"]
    assert info.width * info.height * info.frames <= LIMITS["max_pixels"]
    variants = make_variants(data)  # must not raise: admitted means processable
    assert variants and all(v.data for v in variants)
    assert render(data, width=40, height=40, fit="square", fmt="webp")
