"""One resize request: original in, every variant out, then a result message.

Order matters: variants are put before the result is published, so whoever reads the result
can serve every variant it lists. Keys are content-addressed, so a redelivered request just
rewrites the same objects and republishes the same result.

Failures are told apart (docs/reliability.md):
- the bytes can never be decoded (ImageRejected): permanent, acknowledged, and reported as a
  result with `failed` so the photo becomes `failed` at once;
- the blob store or the broker is down: RetryLater, the message is kept and retried without
  spending its delivery attempts;
- anything else, the time or memory budget exceeded or the variant worker crashing included:
  raised, so the broker requeues and counts it; past its delivery limit the request is
  dead-lettered and metadata marks the photo `failed`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from shared import metrics
from shared.blobstore import (
    SHA256_HEX,
    BlobNotFound,
    BlobStore,
    BlobStoreUnavailable,
    original_key,
    variant_key,
)
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS, Broker, BrokerUnavailable, RetryLater
from shared.images import CONTENT_TYPES, ImageRejected, Variant

log = logging.getLogger(__name__)

SERVICE = "resizer"


def _in_process(original: bytes) -> list[Variant]:
    from shared.images.variants import make_variants
    return make_variants(original)


class ResizeHandler:
    def __init__(self, blobs: BlobStore, broker: Broker,
                 variants: Callable[[bytes], list[Variant]] = _in_process):
        """`variants` makes the variant set; the resizer process passes a VariantWorker's
        (budget.py), tests and tools may run it in-process."""
        self.blobs = blobs
        self.broker = broker
        self.variants = variants

    def __call__(self, message: dict) -> None:
        try:
            outcome = self._handle(message)
        except (BlobStoreUnavailable, BrokerUnavailable) as e:
            # Not the image's fault: keep the message and retry, attempts unspent.
            self._consumed("unavailable")
            raise RetryLater(f"{type(e).__name__}: {e}") from e
        except Exception as e:
            self._consumed("error")
            # The broker's own line says the delivery failed; this one says of which image,
            # so a stalled or looping message can be followed through the log.
            sha = message.get("sha256") if isinstance(message, dict) else None
            log.warning("resize of %.64s failed (%s: %.200s)", sha, type(e).__name__, e)
            raise
        self._consumed(outcome)

    def _handle(self, message: dict) -> str:
        sha = message.get("sha256") if isinstance(message, dict) else None
        if not isinstance(sha, str) or not SHA256_HEX.fullmatch(sha):
            # Retrying cannot fix a malformed message; acking it stops a poison loop.
            log.error("dropping malformed resize request: %.200r", message)
            return "invalid"
        try:
            original = self.blobs.get(original_key(sha))
        except BlobNotFound:
            log.warning("original %s is gone; nothing to resize", sha)
            return "missing"
        started = time.perf_counter()
        try:
            variants = self.variants(original)
        except ImageRejected as e:
            # The same bytes will fail the same way every time: ack rather than loop forever,
            # and say so, so the photo becomes `failed` instead of `processing` for ever.
            log.error("original %s cannot be decoded (%s); no variants made", sha, e.code)
            self.broker.publish(RESIZE_RESULTS, {"sha256": sha, "variants": [], "failed": e.code})
            return "corrupt"
        for v in variants:
            self.blobs.put(variant_key(sha, v.name, v.fmt), v.data, CONTENT_TYPES[v.fmt])
        metrics.RESIZE_SECONDS.observe(time.perf_counter() - started)
        self.broker.publish(RESIZE_RESULTS, {
            "sha256": sha,
            "variants": [{"name": v.name, "fmt": v.fmt, "width": v.width, "height": v.height,
                          "bytes": len(v.data)} for v in variants],
        })
        metrics.EVENTS_PUBLISHED.labels(service=SERVICE, queue=RESIZE_RESULTS).inc()
        log.info("resized %s into %d variants", sha, len(variants))
        return "ok"

    @staticmethod
    def _consumed(outcome: str) -> None:
        metrics.EVENTS_CONSUMED.labels(service=SERVICE, queue=RESIZE_REQUESTS, outcome=outcome).inc()
