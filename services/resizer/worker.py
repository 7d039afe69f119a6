"""The resizer's consume loop, separate from process concerns so standalone can run it in a
thread with its own shared backends.

Run libvips workers with MALLOC_ARENA_MAX=2: glibc gives each libvips thread its own malloc
arena and they fragment, so RSS grows under load. The process launcher sets the variable.
"""
from __future__ import annotations

import threading

from shared.blobstore import BlobStore, create_blob_store
from shared.broker import RESIZE_REQUESTS, Broker, create_broker
from shared.config import Settings

from .handler import ResizeHandler


def run(settings: Settings, stop: threading.Event, *,
        blobs: BlobStore | None = None, broker: Broker | None = None) -> None:
    """Consume resize requests until `stop` is set (finishing the message in flight)."""
    blobs = create_blob_store(settings.blob_url) if blobs is None else blobs
    if broker is None:
        broker = create_broker(settings.broker_url, queue_prefix=settings.queue_prefix)
    broker.consume(RESIZE_REQUESTS, ResizeHandler(blobs, broker), stop)
