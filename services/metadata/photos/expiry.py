"""The expiry sweep: a photo past its expires_at is deleted like a user's DELETE (it stops
being anyone's active or per-address picture, at once in the read model), and leaves a
tombstone so its link answers 410 Gone for good, not 404 (store.expire_photo). Its bytes go
the way every deleted photo's do: once no photo row references the image, the blob GC
removes them.

Between expires_at and the sweep (at most one interval) render already answers 410 and
shows the default: it compares the read model's expires_at with its own clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import db, ids
from ..db.schema import photos
from ..periodic import Periodic, drain
from . import store

BATCH = 100


class ExpirySweeper:
    def __init__(self, engine: Engine, *, interval: float = 5.0,
                 clock: Callable[[], datetime] = ids.now):
        self.engine, self.clock = engine, clock
        self.periodic = Periodic("expiry sweep", self.sweep_once, interval,
                                 report="expired %d photo(s)")
        self.run = self.periodic.run

    def sweep_once(self) -> int:
        """Delete every photo past its expires_at; how many."""
        return drain(self._due, self._expire, BATCH)

    def _due(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(photos.c.id, photos.c.user_id)
                                .where(photos.c.expires_at <= self.clock()).limit(BATCH)).all()

    def _expire(self, row) -> bool:
        with self.engine.connect() as conn, db.write(conn):
            return store.expire_photo(conn, row.user_id, row.id, self.clock())
