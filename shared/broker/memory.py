"""An in-process broker for standalone mode and tests: one queue.Queue per logical queue.

Messages do not survive the process, which is what standalone accepts; what it keeps from
the real broker is the contract: JSON-only messages, ack after the handler, requeue on error,
the delivery limit and the dead-letter queue, RetryLater retried in place.
"""
from __future__ import annotations

import json
import logging
import queue as queue_mod
import threading
from collections.abc import Callable

from . import DELIVERY_LIMIT, Broker, Handler, RetryLater, dead_letter, is_dead_letter

log = logging.getLogger(__name__)

_NAMED: dict[str, MemoryBroker] = {}
_NAMED_LOCK = threading.Lock()
_BACKOFF_MAX = 10.0


class MemoryBroker(Broker):
    def __init__(self, poll_interval: float = 0.1, retry_delay: float = 0.5):
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay
        # Items are (body, failed deliveries so far).
        self._queues: dict[str, queue_mod.Queue] = {}
        self._lock = threading.Lock()

    @classmethod
    def named(cls, url: str) -> MemoryBroker:
        """One broker per URL per process, so services in one process talk to each other."""
        with _NAMED_LOCK:
            broker = _NAMED.get(url)
            if broker is None:
                broker = _NAMED[url] = cls()
            return broker

    def _queue(self, name: str) -> queue_mod.Queue:
        with self._lock:
            q = self._queues.get(name)
            if q is None:
                q = self._queues[name] = queue_mod.Queue()
            return q

    def publish(self, queue: str, message: dict) -> None:
        # Serialise now, as the real broker would: a message that is not JSON fails here at
        # the publisher, and the consumer gets its own copy rather than the caller's dict.
        body = json.dumps(message)
        self._queue(queue).put((body, 0))

    def consume(self, queue: str, handler: Handler, stop: threading.Event,
                beat: Callable[[], None] | None = None) -> None:
        q = self._queue(queue)
        while not stop.is_set():
            if beat:
                beat()
            try:
                body, failures = q.get(timeout=self.poll_interval)
            except queue_mod.Empty:
                continue
            self._deliver(queue, q, body, failures, handler, stop, beat)

    def _deliver(self, queue, q, body, failures, handler, stop, beat) -> None:
        backoff = self.retry_delay
        while True:
            try:
                handler(json.loads(body))
                return
            except RetryLater as e:
                log.warning("handler for %s cannot finish now (%s); retrying in %.1fs",
                            queue, e, backoff)
                if stop.wait(backoff):
                    q.put((body, failures))  # stopping: hand it back uncounted
                    return
                if beat:
                    beat()
                backoff = min(backoff * 2, _BACKOFF_MAX)
            except Exception:
                failures += 1
                if failures > DELIVERY_LIMIT and not is_dead_letter(queue):
                    log.error("handler for %s failed %d times; dead-lettering the message",
                              queue, failures)
                    self._queue(dead_letter(queue)).put((body, 0))
                    return
                log.exception("handler for %s failed; requeueing the message", queue)
                # Wait before requeueing so a poisoned message does not spin the CPU; the
                # wait ends early on stop, and the message is put back either way.
                stop.wait(self.retry_delay)
                if failures <= DELIVERY_LIMIT:
                    q.put((body, failures))
                return

    def pending(self, queue: str) -> int:
        """Messages waiting in `queue` (approximate while consumers run); for tests."""
        return self._queue(queue).qsize()

    def depth(self, queue: str) -> int | None:
        return self.pending(queue)

    def ping(self) -> None:
        return None
