"""Name → read-model entry, with a per-process micro-cache in front of the cache.

The micro-cache is what lets a warm request skip even Redis; its lifetime is bounded by
settings.micro_cache_seconds (≤ 1 s) so a changed active photo shows within a second."""
from __future__ import annotations

import threading
import time

from shared import metrics
from shared.cache import Cache, CacheUnavailable
from shared.internal import MetadataClient
from shared.readmodel import ReadModel, is_missing

_HIT = metrics.READ_MODEL_LOOKUPS.labels("hit")
_MISS = metrics.READ_MODEL_LOOKUPS.labels("miss")
_ERROR = metrics.READ_MODEL_LOOKUPS.labels("error")


class Resolver:
    def __init__(self, cache: Cache, metadata: MetadataClient, ttl: float,
                 max_entries: int = 100_000, clock=time.monotonic):
        self.read_model = ReadModel(cache)
        self.metadata = metadata
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        # (kind, name) → (expires_at, entry or None for "no such thing")
        self._micro: dict[tuple[str, str], tuple[float, dict | None]] = {}
        self._lock = threading.Lock()

    def lookup(self, kind: str, name: str) -> dict | None:
        """The entry for kind/name, or None when it does not exist.

        Raises MetadataUnavailable when neither the cache nor metadata can answer."""
        key = (kind, name)
        now = self._clock()
        item = self._micro.get(key)
        if item is not None and item[0] > now:
            return item[1]
        entry = self._fetch(kind, name)
        if self.ttl > 0:
            self._remember(key, now + self.ttl, entry)
        return entry

    def _fetch(self, kind: str, name: str) -> dict | None:
        try:
            entry = self.read_model.get(kind, name)
        except CacheUnavailable:
            # Redis down: slower, but still serving from the source of truth.
            _ERROR.inc()
            entry = self.metadata.resolve(kind, name)
        else:
            if entry is None:
                _MISS.inc()
                entry = self.metadata.resolve(kind, name)  # also heals the cache
            else:
                _HIT.inc()
        return None if entry is None or is_missing(entry) else entry

    def _remember(self, key, expires: float, entry: dict | None) -> None:
        with self._lock:
            micro = self._micro
            micro.pop(key, None)
            micro[key] = (expires, entry)
            if len(micro) > self.max_entries:
                # Oldest writes first: dicts keep insertion order.
                for old in list(micro)[: len(micro) // 10 or 1]:
                    del micro[old]
