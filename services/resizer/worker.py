"""The resizer's consume loop, separate from process concerns so standalone can run it in a
thread with its own shared backends.

Run libvips workers with MALLOC_ARENA_MAX=2: glibc gives each libvips thread its own malloc
arena and they fragment, so RSS grows under load. The process launcher sets the variable.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from shared.blobstore import BlobStore, create_blob_store
from shared.broker import RESIZE_REQUESTS, Broker, create_broker
from shared.config import Settings

from .budget import VariantWorker
from .handler import ResizeHandler


def run(settings: Settings, stop: threading.Event, *,
        blobs: BlobStore | None = None, broker: Broker | None = None,
        beat: Callable[[], None] | None = None) -> None:
    """Consume resize requests until `stop` is set (finishing the message in flight).

    Variants are made in a child process within RESIZE_TIMEOUT and RESIZE_MAX_MEMORY_MB."""
    blobs = create_blob_store(settings.blob_url) if blobs is None else blobs
    if broker is None:
        broker = create_broker(settings.broker_url, queue_prefix=settings.queue_prefix)
    worker = VariantWorker(settings.resize_timeout, settings.resize_max_memory_mb << 20)
    if hasattr(broker, "handler_timeout"):
        # A handler past its image budget (and a margin for the blob store) is stuck: stop
        # the liveness beat so the probe says so.
        broker.handler_timeout = settings.resize_timeout + 30
    try:
        broker.consume(RESIZE_REQUESTS, ResizeHandler(blobs, broker, worker.make_variants),
                       stop, beat=beat)
    finally:
        worker.close()
