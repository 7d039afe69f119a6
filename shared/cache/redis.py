"""The read model in Redis through redis-py.

Timeouts are short on purpose: render falls back to metadata when Redis is down, and a
reader blocked for seconds on a dead Redis would be worse than the fallback.
"""
from __future__ import annotations

import contextlib
import logging
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import Cache, CacheUnavailable

log = logging.getLogger(__name__)

# Compare-and-set in one round trip: the stored entry's "v" against the new one's. An entry
# without a version (written by an older release) is replaced.
_SET_IF_NEWER = """
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, doc = pcall(cjson.decode, cur)
  if ok and type(doc) == 'table' and tonumber(doc['v']) and
     tonumber(doc['v']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
"""


class RedisCache(Cache):
    def __init__(self, client: redis.Redis):
        self._r = client
        # Channels are server-wide, databases are not: a deployment's notifications are
        # named after its database so two sharing a server do not evict each other's.
        self._channel_prefix = f"db{client.connection_pool.connection_kwargs.get('db', 0)}:"
        self._set_if_newer = client.register_script(_SET_IF_NEWER)
        self._closed = threading.Event()  # ends subscriptions when the cache is closed

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

    def set_if_newer(self, key: str, value: bytes, version: int, ttl: float) -> bool:
        try:
            return bool(self._set_if_newer(keys=[key],
                                           args=[value, version, max(1, int(ttl * 1000))]))
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def publish(self, channel: str, message: str) -> None:
        try:
            self._r.publish(self._channel_prefix + channel, message)
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def subscribe(self, channel: str, callback, stop) -> None:
        backoff = 0.2
        while not stop.is_set() and not self._closed.is_set():
            pubsub = self._r.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self._channel_prefix + channel)
                callback(None)  # (re)subscribed: whatever was sent meanwhile is unknown
                backoff = 0.2
                while not stop.is_set() and not self._closed.is_set():
                    message = pubsub.get_message(timeout=0.5)
                    if message and message.get("type") == "message":
                        data = message["data"]
                        callback(data.decode() if isinstance(data, bytes) else data)
            except (redis.RedisError, OSError, ValueError) as e:
                # ValueError: redis-py reading a socket closed under it (close()).
                if self._closed.is_set():
                    return
                log.warning("read-model notifications lost (%s); resubscribing in %.1fs",
                            type(e).__name__, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                with contextlib.suppress(redis.RedisError, OSError, ValueError):
                    pubsub.close()

    def add_members(self, key: str, *members: str) -> None:
        try:
            if members:
                self._r.sadd(key, *members)
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def remove_members(self, key: str, *members: str) -> None:
        try:
            if members:
                self._r.srem(key, *members)
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def has_members(self, key: str, *members: str) -> list[bool]:
        try:
            return [bool(x) for x in self._r.smismember(key, list(members))]
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def get_and_has_members(self, key: str, set_key: str,
                            *members: str) -> tuple[bytes | None, list[bool]]:
        try:
            # Not a transaction: the two are read in this order, as two calls would.
            with self._r.pipeline(transaction=False) as pipe:
                pipe.get(key)
                pipe.smismember(set_key, list(members))
                value, held = pipe.execute()
        except redis.RedisError as e:
            raise _unavailable(e) from e
        return value, [bool(x) for x in held]

    def ping(self) -> None:
        try:
            self._r.ping()
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def add_counts(self, key: str, counts: dict[str, int]) -> None:
        if not counts:
            return
        try:
            with self._r.pipeline(transaction=False) as pipe:  # one round trip
                for field, n in counts.items():
                    pipe.hincrby(key, field, n)
                pipe.execute()
        except redis.RedisError as e:
            raise _unavailable(e) from e

    def take_counts(self, key: str) -> dict[str, int]:
        try:
            with self._r.pipeline(transaction=True) as pipe:  # MULTI: read and reset at once
                pipe.hgetall(key)
                pipe.delete(key)
                raw, _ = pipe.execute()
        except redis.RedisError as e:
            raise _unavailable(e) from e
        return {f.decode(): int(n) for f, n in raw.items()}

    def close(self) -> None:
        self._closed.set()
        self._r.close()


def _unavailable(e: Exception) -> CacheUnavailable:
    # The class name only: redis-py messages can include the URL, and with it a password.
    return CacheUnavailable(f"redis: {type(e).__name__}")
