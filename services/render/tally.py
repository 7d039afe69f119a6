"""Render's request metrics, counted in plain dicts and handed to prometheus_client at most
once per interval.

Why: with several worker processes (PROMETHEUS_MULTIPROC_DIR, see shared/metrics.py) every
prometheus update is a locked write into a memory-mapped file, 1–2 µs each, and a warm
request made three of them against ~6 µs of its own work. Counting locally and flushing
once a second keeps /metrics exact (at most one interval behind) for a fraction of that.

Histograms are flushed through prometheus_client's per-bucket values (`_sum`, `_buckets`,
`_upper_bounds`): it has no public "observe n times". tests/unit/render/test_render_tally.py
compares the result with plain observe() calls, so a library change that breaks this fails
there.
"""
from __future__ import annotations

import bisect
import threading
import time
import weakref

from shared import metrics

SERVICE = "render"


class Tally:
    def __init__(self, interval: float = 1.0, clock=time.monotonic):
        self.interval, self.clock = interval, clock
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, int], int] = {}
        self._latency: dict[str, list] = {}       # route -> [per-bucket counts, sum]
        self._cache = {"hit": 0, "miss": 0}
        self._bounds = metrics.HTTP_LATENCY._upper_bounds
        self._next_flush = clock() + interval

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        bucket = bisect.bisect_left(self._bounds, seconds)
        with self._lock:
            self._requests[key] = self._requests.get(key, 0) + 1
            hist = self._latency.get(route)
            if hist is None:
                hist = self._latency[route] = [[0] * len(self._bounds), 0.0]
            hist[0][bucket] += 1
            hist[1] += seconds
        if self.clock() >= self._next_flush:
            self.flush()

    def start_background_flush(self) -> None:
        """Flush every interval from a daemon thread too, so a worker that stops receiving
        requests still hands over its last counts. The thread holds only a weak reference and
        ends when the tally is gone."""
        ref, interval = weakref.ref(self), self.interval

        def loop():
            while True:
                time.sleep(interval)
                tally = ref()
                if tally is None:
                    return
                tally.flush()
                del tally

        threading.Thread(target=loop, name="render-metrics-flush", daemon=True).start()

    def cache(self, result: str) -> None:
        with self._lock:
            self._cache[result] += 1

    def flush(self) -> None:
        with self._lock:
            requests, latency, cache = self._requests, self._latency, self._cache
            self._requests, self._latency = {}, {}
            self._cache = {"hit": 0, "miss": 0}
            self._next_flush = self.clock() + self.interval
        for (method, route, status), n in requests.items():
            metrics.HTTP_REQUESTS.labels(SERVICE, method, route, str(status)).inc(n)
        for route, (counts, total) in latency.items():
            child = metrics.HTTP_LATENCY.labels(SERVICE, route)
            child._sum.inc(total)
            for i, n in enumerate(counts):
                if n:
                    child._buckets[i].inc(n)
        for result, n in cache.items():
            if n:
                metrics.RENDER_CACHE.labels(result).inc(n)
