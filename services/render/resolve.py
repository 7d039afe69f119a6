"""Name → read-model entry, with a per-process micro-cache in front of the cache.

The micro-cache is what lets a warm request skip even Redis; its lifetime is bounded by
settings.micro_cache_seconds (≤ 1 s). It does not wait that long for a change: metadata
announces every read-model write (shared/readmodel.CHANGED) and `listen` drops the changed
entry at once, in every render process; after a lost subscription everything is dropped
(what was announced meanwhile is unknown). The lifetime is the bound only while Redis is
down, when nothing is announced."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from shared import metrics
from shared.cache import Cache, CacheUnavailable
from shared.internal import MetadataClient
from shared.readmodel import CHANGED, KNOWN_KINDS, ReadModel, is_missing

_HIT = metrics.READ_MODEL_LOOKUPS.labels("hit")
_MISS = metrics.READ_MODEL_LOOKUPS.labels("miss")
_ERROR = metrics.READ_MODEL_LOOKUPS.labels("error")
_FILTERED = metrics.READ_MODEL_LOOKUPS.labels("unknown")   # a miss answered by the filter


@dataclass(slots=True)
class Cached:
    """One micro-cache entry: the read-model entry (None: no such thing) and what render
    derived from it, kept and dropped with it — `plans`, its box plans by box
    (RenderApp._plan_box), so a warm request skips choosing the source variant."""
    expires: float
    entry: dict | None
    plans: dict = field(default_factory=dict)


class Resolver:
    def __init__(self, cache: Cache, metadata: MetadataClient, ttl: float,
                 max_entries: int = 100_000, clock=time.monotonic):
        self.read_model = ReadModel(cache)
        self.metadata = metadata
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._micro: dict[tuple[str, str], Cached] = {}
        self._lock = threading.Lock()
        self._generation = 0  # bumped by every announcement

    def listen(self) -> threading.Thread:
        """Follow the change announcements on a daemon thread (for the process's life)."""
        thread = threading.Thread(target=self.read_model.cache.subscribe,
                                  args=(CHANGED, self.changed, threading.Event()),
                                  name="read-model-changes", daemon=True)
        thread.start()
        return thread

    def changed(self, message: str | None) -> None:
        """One announcement: "<kind>:<name>" no longer holds; None: anything may have changed."""
        with self._lock:
            # A lookup that read the cache before this announcement must not keep its answer.
            self._generation += 1
            if message is None:
                self._micro.clear()
                return
            kind, _, name = message.partition(":")
            self._micro.pop((kind, name), None)

    def lookup(self, kind: str, name: str) -> dict | None:
        """The entry for kind/name, or None when it does not exist.

        Raises MetadataUnavailable when neither the cache nor metadata can answer."""
        return self.lookup_cached(kind, name).entry

    def lookup_cached(self, kind: str, name: str) -> Cached:
        """The micro-cache entry for kind/name (a fresh one, unremembered, when the
        micro-cache is off or the answer may be stale)."""
        key = (kind, name)
        now = self._clock()
        item = self._micro.get(key)
        if item is not None and item.expires > now:
            return item
        generation = self._generation
        item = Cached(now + self.ttl, self._fetch(kind, name))
        if self.ttl > 0:
            self._remember(key, item, generation)
        return item

    def _fetch(self, kind: str, name: str) -> dict | None:
        try:
            if kind in KNOWN_KINDS:
                # The entry and the filter of known names in one round trip: an unknown
                # name (a flood of random digests) costs one Redis call, no metadata call
                # and no SQL (issue 10: 1,000 random hashes cost 2,083 Postgres
                # transactions before the filter; issue 13: two round trips before this).
                entry, known = self.read_model.get_or_known(kind, name)
            else:
                entry, known = self.read_model.get(kind, name), None
        except CacheUnavailable:
            # Redis down: slower, but still serving from the source of truth.
            _ERROR.inc()
            entry = self.metadata.resolve(kind, name)
        else:
            if entry is None:
                _MISS.inc()
                if known is False:  # a complete filter without the name: it does not exist
                    _FILTERED.inc()
                    return None
                entry = self.metadata.resolve(kind, name)  # also heals the cache
            else:
                _HIT.inc()
        return None if entry is None or is_missing(entry) else entry

    def _remember(self, key, item: Cached, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # announced while we fetched: the answer may be the old state
            micro = self._micro
            micro.pop(key, None)
            micro[key] = item
            if len(micro) > self.max_entries:
                # Oldest writes first: dicts keep insertion order.
                for old in list(micro)[: len(micro) // 10 or 1]:
                    del micro[old]
