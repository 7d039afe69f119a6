"""A poison image (it blows the resizer's memory budget every time) and a slow one (past its
time budget every time): each is cut off, retried up to the delivery limit, dead-lettered,
and its photo ends `failed`; neither blocks the queue: a good image behind it becomes ready.
Both pass admission (they are valid images): only the resizer's budget stops them."""
import time

import pytest
import pyvips

from tests.e2e.images import jpeg

from .system import RESIZE_TIMEOUT, converge

DELIVERY_ATTEMPTS = 4  # shared/broker.DELIVERY_LIMIT (3) + 1
# Each attempt: the budget, then a fresh variant worker (~1–2 s to import libvips).
BOUND = DELIVERY_ATTEMPTS * (RESIZE_TIMEOUT + 5) + 20


def interlaced_png(fmt: str, bands: int) -> bytes:
    # 49 MP, interlaced: libvips cannot shrink it on load and must hold it whole.
    side = 7000
    img = (pyvips.Image.black(side, side, bands=bands) + [40, 120, 200, 255][:bands])
    img = (img * 256 if fmt == "ushort" else img).cast(fmt)
    return img.pngsave_buffer(interlace=True, compression=1)


def status(user, photo) -> str:
    return user.get(f"/v1/photos/{photo['id']}").json()["status"]


@pytest.mark.parametrize("kind,fmt,bands", [("slow", "uchar", 3), ("poison", "ushort", 4)])
def test_an_image_past_its_budget_fails_and_the_queue_flows(system, user, recovery,
                                                            kind, fmt, bands):
    bad = user.upload_ok(interlaced_png(fmt, bands), filename=f"{kind}.png", ctype="image/png")
    good = user.upload_ok(jpeg((30, 30, 220)))
    started = time.monotonic()
    try:
        converge(lambda: status(user, bad) == "failed", BOUND, f"{kind} image marked failed")
    except AssertionError as e:
        # Where the message is (ready, held by a consumer, dead-lettered) and what the
        # resizer did last: what a stall needs to be told apart.
        raise AssertionError(f"{e}\n{system.report('resizer')}") from None
    recovery[f"{kind} image → failed after {DELIVERY_ATTEMPTS} attempts"] = (
        time.monotonic() - started)
    converge(lambda: status(user, good) == "ready", 30, f"the image behind the {kind} one")
    assert "onepic_dead_letters_total" in system.ops("metadata-worker", "/metrics").text
