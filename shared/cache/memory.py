"""An in-process cache: the read model's home when everything runs in one process."""
from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict

from . import Cache

_NAMED: dict[str, MemoryCache] = {}
_NAMED_LOCK = threading.Lock()


class MemoryCache(Cache):
    def __init__(self, max_keys: int = 100_000, clock=time.monotonic):
        self.max_keys = max_keys
        self._clock = clock
        # key → (value, expires_at or None); insertion order is write order, so the first
        # item is the oldest write and is what goes when the bound is exceeded.
        self._data: OrderedDict[str, tuple[bytes, float | None]] = OrderedDict()
        self._sets: dict[str, set[str]] = {}   # not bounded by max_keys: the filter is whole
        self._lock = threading.Lock()
        self._subscribers: dict[str, list] = {}
        self._counters: dict[str, dict[str, int]] = {}  # apart: never evicted as values are

    @classmethod
    def named(cls, url: str) -> MemoryCache:
        """One cache per URL per process, so services sharing a process share the read model."""
        with _NAMED_LOCK:
            cache = _NAMED.get(url)
            if cache is None:
                cache = _NAMED[url] = cls()
            return cache

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            value, expires = item
            if expires is not None and expires <= self._clock():
                del self._data[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError("cache values are bytes")
        expires = None if ttl is None else self._clock() + ttl
        with self._lock:
            self._data.pop(key, None)
            self._data[key] = (bytes(value), expires)
            while len(self._data) > self.max_keys:
                self._data.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def set_if_newer(self, key: str, value: bytes, version: int, ttl: float) -> bool:
        with self._lock:  # the lock makes read-compare-write one step, as Lua does in Redis
            item = self._data.get(key)
            live = item is not None and (item[1] is None or item[1] > self._clock())
            if live and _version(item[0]) >= version:
                return False
            self._data.pop(key, None)
            self._data[key] = (bytes(value), self._clock() + ttl)
            while len(self._data) > self.max_keys:
                self._data.popitem(last=False)
            return True

    def publish(self, channel: str, message: str) -> None:
        with self._lock:
            callbacks = list(self._subscribers.get(channel, ()))
        for callback in callbacks:
            callback(message)

    def subscribe(self, channel: str, callback, stop) -> None:
        with self._lock:
            self._subscribers.setdefault(channel, []).append(callback)
        try:
            stop.wait()
        finally:
            with self._lock:
                self._subscribers[channel].remove(callback)

    def add_members(self, key: str, *members: str) -> None:
        with self._lock:
            self._sets.setdefault(key, set()).update(members)

    def remove_members(self, key: str, *members: str) -> None:
        with self._lock:
            self._sets.get(key, set()).difference_update(members)

    def has_members(self, key: str, *members: str) -> list[bool]:
        with self._lock:
            held = self._sets.get(key, ())
            return [m in held for m in members]

    def ping(self) -> None:
        return None

    def add_counts(self, key: str, counts: dict[str, int]) -> None:
        with self._lock:
            into = self._counters.setdefault(key, {})
            for field, n in counts.items():
                into[field] = into.get(field, 0) + n

    def take_counts(self, key: str) -> dict[str, int]:
        with self._lock:
            return self._counters.pop(key, {})

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


def _version(raw: bytes) -> int:
    try:
        v = json.loads(raw).get("v")
    except (ValueError, AttributeError):
        return -1
    return v if isinstance(v, int) else -1
