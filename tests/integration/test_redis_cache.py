import time

import pytest

from shared.cache import CacheUnavailable, create_cache
from shared.cache.redis import RedisCache

pytestmark = pytest.mark.integration


@pytest.fixture
def cache(redis_url):
    c = create_cache(redis_url)
    assert isinstance(c, RedisCache)
    yield c
    c.close()


@pytest.fixture
def prefix(cache, run_id):
    p = f"{run_id}:"
    yield p
    raw = cache._r
    for key in raw.scan_iter(match=f"{p}*"):
        raw.delete(key)


def test_set_get_delete(cache, prefix):
    cache.ping()
    assert cache.get(prefix + "k") is None
    cache.set(prefix + "k", b"\x00value\xff")
    assert cache.get(prefix + "k") == b"\x00value\xff"
    cache.delete(prefix + "k")
    assert cache.get(prefix + "k") is None
    cache.delete(prefix + "k")


def test_ttl_expiry(cache, prefix):
    cache.set(prefix + "short", b"s", ttl=0.3)
    cache.set(prefix + "long", b"l")
    assert cache.get(prefix + "short") == b"s"
    assert 0 < cache._r.pttl(prefix + "short") <= 300
    assert cache._r.pttl(prefix + "long") == -1
    time.sleep(0.4)
    assert cache.get(prefix + "short") is None
    assert cache.get(prefix + "long") == b"l"


def test_unreachable_redis_is_unavailable_quickly(closed_port):
    cache = RedisCache.from_url(f"redis://127.0.0.1:{closed_port}/0")
    for call in (cache.ping, lambda: cache.get("k"), lambda: cache.set("k", b"v"),
                 lambda: cache.delete("k")):
        started = time.monotonic()
        with pytest.raises(CacheUnavailable):
            call()
        assert time.monotonic() - started < 1.5


def test_error_message_does_not_leak_password(closed_port):
    cache = RedisCache.from_url(f"redis://:s3cret-pw@127.0.0.1:{closed_port}/0")
    with pytest.raises(CacheUnavailable) as info:
        cache.get("k")
    assert "s3cret-pw" not in str(info.value)
