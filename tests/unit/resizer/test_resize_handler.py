import hashlib
import threading

import pytest
from prometheus_client import REGISTRY

from services.resizer.handler import ResizeHandler
from shared.blobstore import BlobStoreUnavailable, original_key, variant_key
from shared.blobstore.file import FileBlobStore
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS, RetryLater
from shared.broker.memory import MemoryBroker
from shared.images import VARIANTS, variant_formats
from tests import imagefactory as f

GREEN = (30, 180, 60)


def consumed(outcome: str) -> float:
    return REGISTRY.get_sample_value("onepic_events_consumed_total", {
        "service": "resizer", "queue": RESIZE_REQUESTS, "outcome": outcome}) or 0.0


@pytest.fixture
def blobs(tmp_path):
    return FileBlobStore(tmp_path / "blobs")


@pytest.fixture
def broker():
    return MemoryBroker(poll_interval=0.01, retry_delay=0.01)


def store_original(blobs, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    blobs.put(original_key(sha), data)
    return sha


def results(broker) -> list[dict]:
    got, stop = [], threading.Event()
    pending = broker.pending(RESIZE_RESULTS)
    if pending:
        def take(message):
            got.append(message)
            if len(got) == pending:
                stop.set()
        broker.consume(RESIZE_RESULTS, take, stop)
    return got


def test_makes_every_variant_then_reports_them(blobs, broker):
    sha = store_original(blobs, f.with_metadata(f.solid(1500, 1000, GREEN)))
    before = consumed("ok")
    ResizeHandler(blobs, broker)({"sha256": sha, "format": "jpeg"})
    assert consumed("ok") == before + 1

    [result] = results(broker)
    assert result["sha256"] == sha
    listed = {(v["name"], v["fmt"]): v for v in result["variants"]}
    assert set(listed) == {(n, fmt) for n, side in VARIANTS.items()
                           for fmt in variant_formats(False, side)}
    for (name, fmt), v in listed.items():
        data = blobs.get(variant_key(sha, name, fmt))
        image = f.decode(data)
        assert (image.width, image.height) == (v["width"], v["height"])
        assert max(v["width"], v["height"]) == VARIANTS[name]
        assert v["bytes"] == len(data)
        assert f.loader(data) == fmt
        assert f.metadata_fields(data) == []
        assert f.close(f.mean_colour(image), GREEN)


def test_redelivery_rewrites_the_same_keys(blobs, broker, tmp_path):
    sha = store_original(blobs, f.solid_png(300, 300, (0, 0, 255, 128)))
    handler = ResizeHandler(blobs, broker)
    handler({"sha256": sha, "format": "png"})
    handler({"sha256": sha, "format": "png"})
    first, second = results(broker)
    assert first == second
    stored = sorted(p.relative_to(tmp_path / "blobs").as_posix()
                    for p in (tmp_path / "blobs").rglob("*") if p.is_file())
    expected = sorted([original_key(sha)] + [variant_key(sha, n, fmt)
                                             for n, side in VARIANTS.items()
                                             for fmt in variant_formats(True, side)])
    assert stored == expected


@pytest.mark.parametrize("message", [
    {"sha256": "0" * 64, "format": "jpeg"},         # original gone: nothing to do
    {"sha256": "../../etc/passwd"},                 # malformed: dropping it stops a poison loop
    {"format": "jpeg"},
])
def test_nothing_to_do_is_acked_quietly(blobs, broker, message):
    ResizeHandler(blobs, broker)(message)
    assert broker.pending(RESIZE_RESULTS) == 0


def test_a_sha256_with_a_trailing_newline_is_malformed(blobs, broker):
    # `^…$` with .match accepted "<64 hex>\n"; the content address must be exactly 64 hex.
    sha = store_original(blobs, f.solid_jpeg(50, 50))
    before = consumed("invalid")
    ResizeHandler(blobs, broker)({"sha256": sha + "\n", "format": "jpeg"})
    assert consumed("invalid") == before + 1
    assert broker.pending(RESIZE_RESULTS) == 0


def test_corrupt_original_reports_failure_and_writes_nothing(blobs, broker, tmp_path):
    sha = store_original(blobs, f.solid_jpeg(300, 300)[:400])
    before = consumed("corrupt")
    ResizeHandler(blobs, broker)({"sha256": sha, "format": "jpeg"})
    assert consumed("corrupt") == before + 1
    # Permanent: said at once, so the photo becomes `failed` rather than waiting for ever.
    assert results(broker) == [{"sha256": sha, "variants": [], "failed": "corrupt_image"}]
    assert not (tmp_path / "blobs" / "variants").exists()


def test_out_of_memory_is_not_corrupt(blobs, broker):
    # libvips failing to allocate says nothing about the bytes: retried (counted), no verdict.
    sha = store_original(blobs, f.solid_jpeg(64, 64))

    def oom(_original):
        raise MemoryError("libvips: out of memory")

    with pytest.raises(MemoryError):
        ResizeHandler(blobs, broker, oom)({"sha256": sha, "format": "jpeg"})
    assert broker.pending(RESIZE_RESULTS) == 0


def test_store_failure_asks_to_retry_later_without_spending_attempts(blobs, broker):
    sha = store_original(blobs, f.solid_jpeg(200, 200))

    class FailingPuts(FileBlobStore):
        def put(self, key, data, content_type="application/octet-stream"):
            raise BlobStoreUnavailable("disk full")

    with pytest.raises(RetryLater):
        ResizeHandler(FailingPuts(blobs.root), broker)({"sha256": sha, "format": "jpeg"})
    assert broker.pending(RESIZE_RESULTS) == 0


def test_worker_consumes_requests_until_stopped(blobs, broker):
    from services.resizer.worker import run
    from shared.config import Settings

    sha = store_original(blobs, f.solid_gif(40, 40))
    broker.publish(RESIZE_REQUESTS, {"sha256": sha, "format": "gif"})
    stop = threading.Event()
    worker = threading.Thread(target=run, args=(Settings(), stop),
                              kwargs={"blobs": blobs, "broker": broker})
    worker.start()
    try:
        [result] = results_within(broker, 10)
    finally:
        stop.set()
        worker.join(5)
    assert not worker.is_alive()
    assert result["sha256"] == sha and blobs.exists(variant_key(sha, "thumbnail", "png"))


def results_within(broker, seconds: float) -> list[dict]:
    got, stop = [], threading.Event()
    timer = threading.Timer(seconds, stop.set)
    timer.start()

    def take(message):
        got.append(message)
        stop.set()
    broker.consume(RESIZE_RESULTS, take, stop)
    timer.cancel()
    return got
