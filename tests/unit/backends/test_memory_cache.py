import threading

import pytest

from shared.cache import create_cache
from shared.cache.memory import MemoryCache
from tests.fakeclock import Clock


def test_set_get_delete():
    cache = MemoryCache()
    assert cache.get("k") is None
    cache.set("k", b"v1")
    assert cache.get("k") == b"v1"
    cache.set("k", b"v2")
    assert cache.get("k") == b"v2"
    cache.delete("k")
    assert cache.get("k") is None
    cache.delete("k")  # missing is fine
    cache.ping()


def test_ttl_expires_entries():
    clock = Clock(1000.0)
    cache = MemoryCache(clock=clock)
    cache.set("short", b"s", ttl=1.5)
    cache.set("forever", b"f")
    clock.now += 1.4
    assert cache.get("short") == b"s"
    clock.now += 0.2
    assert cache.get("short") is None
    assert cache.get("forever") == b"f"
    # Overwriting without a TTL clears the old expiry.
    cache.set("short", b"s", ttl=1)
    cache.set("short", b"s2")
    clock.now += 100
    assert cache.get("short") == b"s2"


def test_bounded_drops_oldest_write():
    cache = MemoryCache(max_keys=3)
    for k in "abc":
        cache.set(k, k.encode())
    cache.set("a", b"a2")  # rewriting makes "a" the newest
    cache.set("d", b"d")
    assert cache.get("b") is None
    assert [cache.get(k) for k in "acd"] == [b"a2", b"c", b"d"]
    assert len(cache) == 3


def test_values_must_be_bytes():
    with pytest.raises(TypeError):
        MemoryCache().set("k", "text")


def test_named_is_one_instance_per_url():
    a = create_cache("memory://test-named-a")
    assert create_cache("memory://test-named-a") is a
    assert MemoryCache.named("memory://test-named-b") is not a
    a.set("shared", b"1")
    assert MemoryCache.named("memory://test-named-a").get("shared") == b"1"


def test_thread_safe_under_concurrent_writers():
    cache = MemoryCache(max_keys=500)

    def work(n):
        for i in range(2000):
            cache.set(f"{n}:{i}", b"x")
            cache.get(f"{n}:{i - 1}")
            if i % 7 == 0:
                cache.delete(f"{n}:{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 500


def test_sets_answer_several_members_at_once():
    cache = MemoryCache(max_keys=1)
    cache.add_members("k", "a", "c")
    cache.set("x", b"1")
    cache.set("y", b"2")   # the bound on keys does not drop set members
    assert cache.has_members("k", "a", "b", "c") == [True, False, True]
    cache.remove_members("k", "a")
    assert cache.has_members("k", "a", "c") == [False, True]


def test_an_entry_and_set_members_together():
    cache = MemoryCache()
    cache.add_members("known", "a")
    assert cache.get_and_has_members("entry", "known", "a", "b") == (None, [True, False])
    cache.set("entry", b"v")
    assert cache.get_and_has_members("entry", "known", "b") == (b"v", [False])
