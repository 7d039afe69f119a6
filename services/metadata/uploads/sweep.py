"""The sweep of direct uploads never completed: once a ticket has expired nobody can send
or complete it, so its waiting object and the row go (the object first: a row left behind
by a failure is simply swept again)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from shared.blobstore import BlobStore, BlobStoreUnavailable

from .. import db, ids
from ..periodic import Periodic, drain
from . import store

BATCH = 100


class UploadSweeper:
    def __init__(self, engine: Engine, blobs: BlobStore, *, interval: float = 30.0,
                 clock: Callable[[], datetime] = ids.now):
        self.engine, self.blobs, self.clock = engine, blobs, clock
        # The blob store down is retried at the next round, without a traceback.
        self.periodic = Periodic("upload sweep", self.sweep_once, interval,
                                 report="swept %d expired upload(s)", expected=[BlobStoreUnavailable])
        self.run = self.periodic.run

    def sweep_once(self) -> int:
        """Remove every expired ticket and its object; how many went."""
        return drain(self._expired, self._remove, BATCH)

    def _expired(self) -> list[str]:
        with self.engine.connect() as conn:
            return store.expired(conn, self.clock(), BATCH)

    def _remove(self, ticket_id: str) -> None:
        self.blobs.delete(store.staging_key(ticket_id))
        with self.engine.connect() as conn, db.write(conn):
            store.finish(conn, ticket_id)
