"""A small key-value cache: the home of the read model (see shared/readmodel.py).

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

    @abstractmethod
    def ping(self) -> None:
        """Raise CacheUnavailable if the cache cannot serve requests."""


def create_cache(url: str) -> Cache:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from .memory import MemoryCache
        return MemoryCache.named(url)
    if scheme in ("redis", "rediss", "unix"):
        from .redis import RedisCache
        return RedisCache.from_url(url)
    raise ValueError(f"CACHE_URL: unsupported scheme {scheme!r} (use redis:// or memory://)")
