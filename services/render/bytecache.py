"""A process-local LRU of finished renderings, bounded by total bytes.

Warm requests are answered from here without the blob store, the transform or metadata."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

# Rough per-entry bookkeeping (key, object, dict slot) so many tiny images still count.
_OVERHEAD = 200


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    content_type: str
    etag: str
    length: str     # Content-Length, pre-formatted for the warm path


class ByteCache:
    def __init__(self, capacity_bytes: int):
        self.capacity = capacity_bytes
        self.size = 0
        self._items: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: Rendered) -> None:
        cost = len(item.body) + len(key) + _OVERHEAD
        if cost > self.capacity:
            return  # would evict everything for one entry
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body) + len(key) + _OVERHEAD
            self._items[key] = item
            self.size += cost
            while self.size > self.capacity:
                k, v = self._items.popitem(last=False)
                self.size -= len(v.body) + len(k) + _OVERHEAD
