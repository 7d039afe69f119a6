"""The resizer's per-image budget: a child process killed past its time or memory."""
import pytest

from services.resizer.budget import BudgetExceeded, VariantWorker
from shared.images import ImageRejected
from tests import imagefactory as f


def slow_png(side=3000) -> bytes:
    import pyvips  # interlaced: libvips must decode it whole, no shrink-on-load
    img = (pyvips.Image.black(side, side, bands=3) + [40, 120, 200]).cast("uchar")
    return img.pngsave_buffer(interlace=True, compression=1)


@pytest.fixture
def worker():
    w = VariantWorker(timeout=30, max_rss=2000 << 20)
    yield w
    w.close()


def test_variants_come_back_from_the_child_and_it_is_reused(worker):
    first = worker.make_variants(f.solid_jpeg(400, 300))
    pid = worker.pid
    assert {v.name for v in first} >= {"thumbnail", "small", "medium"}
    worker.make_variants(f.solid_jpeg(300, 300))
    assert worker.pid == pid


def test_corrupt_bytes_are_rejected_permanently(worker):
    with pytest.raises(ImageRejected):
        worker.make_variants(f.solid_jpeg(400, 300)[:300])


def test_past_the_time_budget_the_child_is_killed_and_replaced(worker):
    worker.make_variants(f.solid_jpeg(64, 64))   # started: its start-up is not counted
    pid = worker.pid
    worker.timeout = 0.05
    with pytest.raises(BudgetExceeded) as info:
        worker.make_variants(slow_png())
    assert info.value.what == "time" and worker.pid is None
    worker.timeout = 30
    assert worker.make_variants(f.solid_jpeg(64, 64)) and worker.pid != pid


def test_past_the_memory_budget_the_child_is_killed(worker):
    worker.make_variants(f.solid_jpeg(64, 64))
    worker.max_rss = 1   # anything: the child's own libvips already takes more
    with pytest.raises(BudgetExceeded) as info:
        worker.make_variants(slow_png())
    assert info.value.what == "memory"
