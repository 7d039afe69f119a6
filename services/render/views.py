"""Views per photo per day, counted at render without a write per view (API.md, stats).

A view is counted in a plain dict in the worker (a dict update under an uncontended lock:
well under a microsecond) and the dict is handed to the cache in one pipelined write per
interval; metadata's worker takes the counts from there and adds them to Postgres
(services/metadata/stats/rollup.py). A cache that is down keeps the counts for the next
round, up to a bound, so a Redis blip loses nothing and a long outage cannot eat memory.
"""
from __future__ import annotations

import logging
import threading
import time
import weakref

from shared.cache import Cache, CacheUnavailable
from shared.viewcounts import COUNTS_KEY, field

log = logging.getLogger(__name__)

MAX_HELD = 100_000  # distinct (day, photo) pairs kept while the cache is down


class ViewCounter:
    def __init__(self, cache: Cache, interval: float = 2.0, clock=time.time):
        self.cache, self.interval, self.clock = cache, interval, clock
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def view(self, photo_id: str) -> None:
        key = field(int(self.clock()) // 86400, photo_id)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1

    def flush(self) -> None:
        with self._lock:
            counts, self._counts = self._counts, {}
        if not counts:
            return
        try:
            self.cache.add_counts(COUNTS_KEY, counts)
        except CacheUnavailable as e:
            log.warning("view counts kept for the next flush: %s", e)
            with self._lock:
                for k, n in counts.items():
                    if k in self._counts or len(self._counts) < MAX_HELD:
                        self._counts[k] = self._counts.get(k, 0) + n

    def start(self) -> None:
        """Flush every interval from a daemon thread, so no request ever waits on the cache.
        The thread holds only a weak reference and ends when the counter is gone."""
        ref, interval = weakref.ref(self), self.interval

        def loop():
            while True:
                time.sleep(interval)
                counter = ref()
                if counter is None:
                    return
                try:
                    counter.flush()
                except Exception:
                    log.exception("view count flush failed")
                del counter

        threading.Thread(target=loop, name="render-views-flush", daemon=True).start()


class NoViews:
    """VIEW_COUNTS=off: nothing counted (and the benchmark's reference for the cost)."""

    def view(self, photo_id: str) -> None:
        pass

    def flush(self) -> None:
        pass
