"""The read model in Redis through redis-py.

Timeouts are short on purpose: render falls back to metadata when Redis is down, and a
reader blocked for seconds on a dead Redis would be worse than the fallback.
"""
from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import Cache, CacheUnavailable


class RedisCache(Cache):
    def __init__(self, client: redis.Redis):
        self._r = client

    @classmethod
    def from_url(cls, url: str, *, connect_timeout: float = 0.5, timeout: float = 0.5,
                 max_connections: int = 64) -> RedisCache:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=connect_timeout,
            socket_timeout=timeout,
            health_check_interval=30,
            max_connections=max_connections,
            # One immediate retry heals a pooled connection Redis closed (e.g. after a
            # restart); redis-py's default of several backed-off retries would make a dead
            # Redis cost seconds per request instead of failing fast to the fallback.
            retry=Retry(NoBackoff(), 1),
        )
        return cls(client)

    def get(self, key: str) -> bytes | None:
        try:
            return self._r.get(key)
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        try:
            if ttl is None:
                self._r.set(key, value)
            else:
                # PX keeps sub-second TTLs meaningful; at least 1 ms, since 0 is an error.
                self._r.set(key, value, px=max(1, int(ttl * 1000)))
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def delete(self, key: str) -> None:
        try:
            self._r.delete(key)
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def ping(self) -> None:
        try:
            self._r.ping()
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def close(self) -> None:
        self._r.close()


def _unavailable(e: Exception) -> CacheUnavailable:
    # The class name only: redis-py messages can include the URL, and with it a password.
    return CacheUnavailable(f"redis: {type(e).__name__}")
