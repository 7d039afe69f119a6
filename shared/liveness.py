"""Liveness of a consumer loop: a heartbeat its loop calls, and a check /healthz runs.

A thread answering /healthz proves only that the thread answers. The consume loops beat
whenever they make progress (every idle poll, every reconnect attempt, and while a handler
is within its time), so a loop that stops beating for `max_silence` seconds is wedged and
the process should be restarted (liveness probe → kubelet, supervisor)."""
from __future__ import annotations

import threading
import time


class Wedged(RuntimeError):
    """The loop has not made progress for longer than it may."""


class Heartbeat:
    def __init__(self, max_silence: float = 60.0, clock=time.monotonic):
        self.max_silence = max_silence
        self._clock = clock
        self._last = clock()
        self._lock = threading.Lock()

    def beat(self) -> None:
        now = self._clock()
        with self._lock:
            self._last = now

    def silence(self) -> float:
        with self._lock:
            return self._clock() - self._last

    def check(self) -> None:
        quiet = self.silence()
        if quiet > self.max_silence:
            raise Wedged(f"no progress for {quiet:.0f} s (limit {self.max_silence:.0f} s)")
