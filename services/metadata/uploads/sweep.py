"""The sweep of direct uploads never completed: once a ticket has expired nobody can send
or complete it, so its waiting object and the row go (the object first: a row left behind
by a failure is simply swept again)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from shared.blobstore import BlobStore, BlobStoreUnavailable

from .. import ids
from . import store

log = logging.getLogger(__name__)


class UploadSweeper:
    def __init__(self, engine: Engine, blobs: BlobStore, *, interval: float = 30.0,
                 clock: Callable[[], datetime] = ids.now):
        self.engine, self.blobs, self.interval, self.clock = engine, blobs, interval, clock

    def sweep_once(self) -> int:
        """Remove every expired ticket and its object; how many went."""
        removed = 0
        while True:
            with self.engine.connect() as conn:
                batch = store.expired(conn, self.clock())
            for ticket_id in batch:
                self.blobs.delete(store.staging_key(ticket_id))
                with self.engine.begin() as conn:
                    store.finish(conn, ticket_id)
                removed += 1
            if len(batch) < 100:
                return removed

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                swept = self.sweep_once()
                if swept:
                    log.info("swept %d expired upload(s)", swept)
            except BlobStoreUnavailable as e:  # retried at the next round
                log.warning("upload sweep: blob store unavailable: %s", e)
            except Exception:
                log.exception("upload sweep failed; retrying in %gs", self.interval)
