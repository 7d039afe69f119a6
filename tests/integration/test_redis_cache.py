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


def test_set_if_newer_is_a_compare_and_set_on_the_entry_version(cache, prefix):
    key = prefix + "rm"
    assert cache.set_if_newer(key, b'{"v":2,"x":"two"}', 2, ttl=60)
    assert not cache.set_if_newer(key, b'{"v":1,"x":"one"}', 1, ttl=60)   # older: refused
    assert not cache.set_if_newer(key, b'{"v":2,"x":"again"}', 2, ttl=60)  # same: kept
    assert cache.get(key) == b'{"v":2,"x":"two"}'
    assert cache.set_if_newer(key, b'{"v":3,"x":"three"}', 3, ttl=60)
    assert cache.get(key) == b'{"v":3,"x":"three"}'
    assert 0 < cache._r.pttl(key) <= 60_000   # the safety TTL is set
    cache.set(key, b"not json")  # an unversioned value is replaced
    assert cache.set_if_newer(key, b'{"v":1}', 1, ttl=60)


def test_concurrent_writers_end_on_the_newest_version(cache, prefix):
    import threading

    key = prefix + "race"
    versions = list(range(1, 201))

    def write(vs):
        for v in vs:
            cache.set_if_newer(key, f'{{"v":{v}}}'.encode(), v, ttl=60)

    threads = [threading.Thread(target=write, args=(versions[i::4][::-1],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.get(key) == b'{"v":200}'


def test_publish_reaches_a_subscriber_and_a_resubscription_says_so(cache, prefix):
    import threading

    got, stop = [], threading.Event()
    t = threading.Thread(target=cache.subscribe, args=(prefix + "ch", got.append, stop),
                         daemon=True)
    t.start()
    deadline = time.monotonic() + 5
    while None not in got and time.monotonic() < deadline:   # subscribed
        time.sleep(0.01)
    sent = time.monotonic()
    cache.publish(prefix + "ch", "user:alice")
    while "user:alice" not in got and time.monotonic() < deadline:
        time.sleep(0.001)
    assert "user:alice" in got and time.monotonic() - sent < 0.5
    stop.set()
    t.join(3)
    assert not t.is_alive()

def test_sets_answer_several_members_at_once(cache, prefix):
    key = f"{prefix}known"
    try:
        assert cache.has_members(key, "a", "b") == [False, False]
        cache.add_members(key, "a", "c")
        assert cache.has_members(key, "a", "b", "c") == [True, False, True]
        cache.remove_members(key, "a")
        assert cache.has_members(key, "a", "c") == [False, True]
    finally:
        cache.delete(key)


def test_an_entry_and_set_members_in_one_round_trip(cache, prefix, monkeypatch):
    key, known = f"{prefix}entry", f"{prefix}known"
    try:
        cache.add_members(known, "a", "!complete")
        sent = []
        conn_class = cache._r.connection_pool.connection_class
        original = conn_class.send_packed_command
        monkeypatch.setattr(conn_class, "send_packed_command",
                            lambda self, *a, **k: sent.append(1) or original(self, *a, **k))
        assert cache.get_and_has_members(key, known, "b", "!complete") == (None, [False, True])
        cache.set(key, b"v")
        sent.clear()
        assert cache.get_and_has_members(key, known, "a", "!complete") == (b"v", [True, True])
        assert len(sent) == 1
    finally:
        cache.delete(known)
