"""The outbox relay: publishes the events committed in the outbox table, at least once.

A row is deleted only after the broker confirmed its message, in the transaction that read
it; if the process dies in between, the row is published again (consumers are idempotent).
Several relays may run: on PostgreSQL each claims rows with FOR UPDATE SKIP LOCKED; SQLite
has a single process anyway (the clause is not rendered there).
"""
from __future__ import annotations

import json
import logging
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared import metrics
from shared.broker import Broker, BrokerUnavailable

from .. import db
from ..db.schema import outbox

log = logging.getLogger(__name__)

# Set after a commit that added outbox rows, so a relay in this process publishes at once
# instead of at its next poll.
_WAKE = threading.Event()


def wake() -> None:
    _WAKE.set()


class OutboxRelay:
    def __init__(self, engine: Engine, broker: Broker, *, batch: int = 100,
                 poll_interval: float = 0.2, min_backoff: float = 0.2, max_backoff: float = 10.0):
        self.engine, self.broker = engine, broker
        self.batch, self.poll_interval = batch, poll_interval
        self.min_backoff, self.max_backoff = min(min_backoff, max_backoff), max_backoff

    def relay_once(self) -> int:
        """Publish one batch; the number of rows published (and deleted).

        Raises BrokerUnavailable after committing the deletion of what was published."""
        published: list[int] = []
        failure: BrokerUnavailable | None = None
        with self.engine.connect() as conn, db.write(conn):
            rows = conn.execute(
                sa.select(outbox.c.id, outbox.c.queue, outbox.c.payload)
                .order_by(outbox.c.id).limit(self.batch)
                .with_for_update(skip_locked=True)).fetchall()
            for row in rows:
                try:
                    self.broker.publish(row.queue, json.loads(row.payload))
                except BrokerUnavailable as e:
                    failure = e
                    break
                published.append(row.id)
                metrics.EVENTS_PUBLISHED.labels("metadata", row.queue).inc()
                metrics.OUTBOX_RELAYED.labels("published").inc()
            # Committed even when the broker failed midway: what it confirmed must not be
            # sent again needlessly.
            if published:
                conn.execute(outbox.delete().where(outbox.c.id.in_(published)))
        if failure is not None:
            raise failure
        return len(published)

    def run(self, stop: threading.Event, beat=None) -> None:
        """Relay until `stop`; `beat()` (liveness) once per pass, at least every 10 s."""
        backoff = self.min_backoff
        while not stop.is_set():
            if beat:
                beat()
            try:
                n = self.relay_once()
                backoff = self.min_backoff
            except BrokerUnavailable as e:
                metrics.OUTBOX_RELAYED.labels("failed").inc()
                log.warning("outbox: broker unavailable (%s); retrying in %.1fs", e, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            except Exception:
                log.exception("outbox: relay failed; retrying in %.1fs", backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
                continue
            if n < self.batch:
                self._idle(stop)

    def _idle(self, stop: threading.Event) -> None:
        """Nothing (more) waiting: sleep until a commit wakes us, the poll interval passes
        or `stop` is set (checked every 0.1 s: one thread cannot wait on two events)."""
        deadline = time.monotonic() + self.poll_interval
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if _WAKE.wait(min(remaining, 0.1)):
                _WAKE.clear()
                return

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
