"""The one shape of the metadata worker's periodic work (the expiry sweep, the sweep of
expired uploads, garbage collection, the rollup of view counts): a pass now and then every
`interval` seconds until stopped, a failed pass logged and tried again at the next interval,
and, inside a pass, rows taken a batch at a time until a batch comes back short."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

Item = TypeVar("Item")

# The longest wait between liveness beats: an interval may be longer than the probe's limit.
BEAT_EVERY = 10.0


def drain(fetch: Callable[[], list[Item]], handle: Callable[[Item], bool | None],
          batch: int) -> int:
    """`handle` each item of `fetch()` (which returns at most `batch`) until a batch comes
    back short; how many were handled (an item whose `handle` returns False is not counted:
    someone else got there first)."""
    done = 0
    while True:
        items = fetch()
        done += sum(handle(item) is not False for item in items)
        if len(items) < batch:
            return done


class Periodic:
    """`work()` now and then every `interval` seconds (never when it is 0), in `run(stop)`.

    With `report` (a format string), a truthy result is logged with it; an exception is
    logged and the pass is tried again at the next interval — as a one-line warning for the `expected` ones (a
    backend that is down), with its traceback for anything else."""

    def __init__(self, name: str, work: Callable[[], object], interval: float, *,
                 report: str | None = None, expected: Iterable[type[BaseException]] = ()):
        self.name, self.work, self.interval, self.report = name, work, interval, report
        self.expected = tuple(expected)

    def run_once(self) -> None:
        try:
            done = self.work()
            if done and self.report:
                log.info(self.report, done)
        except self.expected as e:
            log.warning("%s: %s; retrying in %gs", self.name, e, self.interval)
        except Exception:
            log.exception("%s failed; retrying in %gs", self.name, self.interval)

    def run(self, stop: threading.Event, beat: Callable[[], None] | None = None) -> None:
        """Until `stop`; `beat` (a liveness heartbeat) is called at least every BEAT_EVERY
        seconds, waiting included."""
        while not stop.is_set():
            if beat:
                beat()
            if self.interval > 0:
                self.run_once()
            deadline = time.monotonic() + (self.interval if self.interval > 0 else 3600)
            while not stop.wait(min(BEAT_EVERY, max(0.0, deadline - time.monotonic()))):
                if beat:
                    beat()
                if time.monotonic() >= deadline:
                    break
