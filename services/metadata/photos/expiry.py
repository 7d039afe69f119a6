"""The expiry sweep: a photo past its expires_at is deleted like a user's DELETE (it stops
being anyone's active or per-address picture, at once in the read model), and leaves a
tombstone so its link answers 410 Gone for good, not 404. Its bytes go the way every
deleted photo's do: once no photo row references the image, the blob GC removes them.

Between expires_at and the sweep (at most one interval) render already answers 410 and
shows the default: it compares the read model's expires_at with its own clock."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import db, ids
from ..db.schema import photo_tombstones, photos, users
from ..relay.readmodel_writer import ReadModelWriter
from . import store

log = logging.getLogger(__name__)


class ExpirySweeper:
    def __init__(self, engine: Engine, writer: ReadModelWriter, *, interval: float = 5.0,
                 clock: Callable[[], datetime] = ids.now):
        self.engine, self.writer, self.interval, self.clock = engine, writer, interval, clock

    def sweep_once(self) -> int:
        removed = 0
        while True:
            now = self.clock()
            with self.engine.connect() as conn:
                due = conn.execute(
                    sa.select(photos.c.id, photos.c.user_id, users.c.username)
                    .select_from(photos.join(users, photos.c.user_id == users.c.id))
                    .where(photos.c.expires_at <= now).limit(100)).all()
                for row in due:
                    with db.write(conn):
                        db.insert_ignoring_conflict(conn, photo_tombstones,
                                                    {"id": row.id, "gone_at": now}, ["id"])
                        if not store.delete_photo(conn, row.user_id, row.id):
                            continue  # deleted meanwhile
                        # In the transaction: the refresh commits with the deletion.
                        self.writer.refresh_photo(conn, row.id)
                        self.writer.refresh_user(conn, row.username)
                    removed += 1
            if len(due) < 100:
                return removed

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            try:
                swept = self.sweep_once()
                if swept:
                    log.info("expired %d photo(s)", swept)
            except Exception:
                log.exception("expiry sweep failed; retrying in %gs", self.interval)
