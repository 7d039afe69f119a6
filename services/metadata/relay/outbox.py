"""The outbox relay: publishes the events committed in the outbox table, at least once.

A row is deleted only after the broker confirmed its message, in the transaction that read
it; if the process dies in between, the row is published again (consumers are idempotent).
Several relays may run: on PostgreSQL each claims rows with FOR UPDATE SKIP LOCKED; SQLite
has a single process anyway (the clause is not rendered there).
"""
from __future__ import annotations

import json
import logging
import select
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


# Built once: each relayed upload runs both (services/metadata/db.prebuilt says why).
_CLAIM = (sa.select(outbox.c.id, outbox.c.queue, outbox.c.payload).order_by(outbox.c.id)
          .limit(sa.bindparam("batch", type_=sa.Integer))
          .with_for_update(skip_locked=True))
_DELETE = outbox.delete().where(outbox.c.id.in_(sa.bindparam("ids", expanding=True)))


class OutboxRelay:
    def __init__(self, engine: Engine, broker: Broker, *, batch: int = 100,
                 poll_interval: float = 0.2, listen_poll_interval: float = 5.0,
                 min_backoff: float = 0.2, max_backoff: float = 10.0):
        """`poll_interval`: between passes while nothing wakes the relay by itself (SQLite,
        or PostgreSQL while LISTEN cannot be set up); `listen_poll_interval`: while a LISTEN
        connection is up, when every commit that adds rows notifies it."""
        self.engine, self.broker = engine, broker
        self.batch, self.poll_interval = batch, poll_interval
        self.listen_poll_interval = max(poll_interval, listen_poll_interval)
        self._listen = None   # pool connection LISTENing for NOTIFY (PostgreSQL only)
        self.min_backoff, self.max_backoff = min(min_backoff, max_backoff), max_backoff

    def relay_once(self) -> int:
        """Publish one batch; the number of rows published (and deleted).

        Raises BrokerUnavailable after committing the deletion of what was published."""
        published: list[int] = []
        failure: BrokerUnavailable | None = None
        with self.engine.connect() as conn, db.write(conn):
            rows = conn.execute(_CLAIM, {"batch": self.batch}).fetchall()
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
                conn.execute(_DELETE, {"ids": published})
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
        self._close_listener()

    def _idle(self, stop: threading.Event) -> None:
        """Nothing (more) waiting: sleep until a commit wakes us (in this process, or a NOTIFY
        from another on PostgreSQL), the poll interval passes or `stop` is set (checked every
        0.1 s: one thread cannot wait on two events).

        A commit while no LISTEN connection was up notified nobody, so a LISTEN set up anew
        ends the wait at once (the next pass publishes those rows); after that every commit
        that adds rows notifies it (NOTIFY is delivered at commit to every listening
        session), and the poll, only a fallback, runs every `listen_poll_interval` instead of
        every `poll_interval`: an idle pass costs a transaction and its round trips."""
        listening = self._listen
        interval = self.listen_poll_interval if listening is not None else self.poll_interval
        deadline = time.monotonic() + interval
        while not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            step = min(remaining, 0.1)
            listener = self._listener()
            if listener is not None and self._listen is not listening:
                return  # listening anew: one pass for what committed before it
            if listener is not None:
                if self._notified(listener, step):
                    return
            elif _WAKE.wait(step):
                _WAKE.clear()
                return
            if _WAKE.is_set():
                _WAKE.clear()
                return

    def _listener(self):
        """A psycopg2 connection LISTENing on the outbox channel, or None (SQLite, or while
        PostgreSQL cannot be reached: then the relay polls)."""
        if self.engine.dialect.name != "postgresql":
            return None
        if self._listen is None:
            try:
                raw = self.engine.raw_connection()
                conn = raw.driver_connection
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f"LISTEN {db.OUTBOX_CHANNEL}")
                self._listen = raw
            except Exception as e:  # noqa: BLE001 - polling still works; retried next idle
                log.warning("outbox: cannot LISTEN (%s); polling", type(e).__name__)
                return None
        return self._listen.driver_connection

    def _notified(self, conn, timeout: float) -> bool:
        try:
            ready, _, _ = select.select([conn], [], [], timeout)
            if ready:
                conn.poll()
            if conn.notifies:
                conn.notifies.clear()
                return True
        except Exception as e:  # noqa: BLE001 - the connection went away: reopen next time
            log.warning("outbox: lost the LISTEN connection (%s)", type(e).__name__)
            self._close_listener()
        return False

    def _close_listener(self) -> None:
        if self._listen is not None:
            try:
                self._listen.invalidate()
            except Exception:  # noqa: BLE001, S110 - it is being thrown away
                pass
            self._listen = None

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
