"""A small key-value cache with compare-and-set and pub/sub: the home of the read model
(see shared/readmodel.py) and of its change notifications.

One module per backend (`memory`, `redis`); nothing outside them imports redis.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from urllib.parse import urlsplit


class CacheUnavailable(RuntimeError):
    """The cache could not be reached. Readers fall back to the source of truth."""


class Cache(ABC):
    @abstractmethod
    def get(self, key: str) -> bytes | None:
        """The value, or None when absent. Raises CacheUnavailable."""

    @abstractmethod
    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        """Store `value`; with `ttl` (seconds) it expires. Raises CacheUnavailable."""

    @abstractmethod
    def delete(self, key: str) -> None: ...

    # -- sets (the read model's filter of known names, shared/readmodel.py) --------------
    @abstractmethod
    def add_members(self, key: str, *members: str) -> None:
        """Add members to the set at `key`. Raises CacheUnavailable."""

    @abstractmethod
    def remove_members(self, key: str, *members: str) -> None: ...

    @abstractmethod
    def has_members(self, key: str, *members: str) -> list[bool]:
        """For each member, whether the set at `key` holds it, in one round trip."""

    def get_and_has_members(self, key: str, set_key: str,
                            *members: str) -> tuple[bytes | None, list[bool]]:
        """`get(key)` and `has_members(set_key, *members)` together, in one round trip where
        the backend can: render's lookup of a name with the filter of known names (issue 13:
        a flood of unknown digests paid two). Raises CacheUnavailable."""
        return self.get(key), self.has_members(set_key, *members)

    @abstractmethod
    def set_if_newer(self, key: str, value: bytes, version: int, ttl: float) -> bool:
        """Store `value` (a JSON object carrying "v": `version`) unless the stored value's "v"
        is already ≥ `version`, atomically; True if stored. Raises CacheUnavailable."""

    @abstractmethod
    def publish(self, channel: str, message: str) -> None:
        """Tell every subscriber of `channel` (at most once, best effort)."""

    @abstractmethod
    def subscribe(self, channel: str, callback, stop) -> None:
        """Call `callback(message)` for each message on `channel` until `stop` is set; after
        a lost connection (messages may have been missed) `callback(None)`. Blocks; run it
        on a thread of its own."""

    @abstractmethod
    def ping(self) -> None:
        """Raise CacheUnavailable if the cache cannot serve requests."""

    # Counters: batches of view counts between render and metadata's rollup (analytics).
    @abstractmethod
    def add_counts(self, key: str, counts: dict[str, int]) -> None:
        """Add each count to the field of that name of the counter set `key`."""

    @abstractmethod
    def take_counts(self, key: str) -> dict[str, int]:
        """Every field of `key` with its count, removed in the same atomic step, so two
        takers never see one count twice."""


def create_cache(url: str) -> Cache:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from .memory import MemoryCache
        return MemoryCache.named(url)
    if scheme in ("redis", "rediss", "unix"):
        from .redis import RedisCache
        return RedisCache.from_url(url)
    raise ValueError(f"CACHE_URL: unsupported scheme {scheme!r} (use redis:// or memory://)")
