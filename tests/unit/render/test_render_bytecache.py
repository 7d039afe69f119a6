import threading

from services.render.bytecache import ByteCache, Rendered


def item(n: int) -> Rendered:
    return Rendered(b"x" * n, "image/jpeg", '"e"', str(n))


def test_evicts_least_recently_used_by_total_bytes():
    cache = ByteCache(3 * 1300)
    for k in "abc":
        cache.put(k, item(1000))
    assert cache.get("a") is not None      # a is now the most recent
    cache.put("d", item(1000))
    assert cache.get("b") is None
    assert [k for k in "acd" if cache.get(k)] == ["a", "c", "d"]
    assert cache.size <= cache.capacity


def test_oversized_item_is_not_kept_and_replacing_a_key_keeps_the_size_right():
    cache = ByteCache(2000)
    cache.put("huge", item(5000))
    assert cache.get("huge") is None and cache.size == 0
    cache.put("a", item(500))
    cache.put("a", item(100))
    assert cache.get("a").body == b"x" * 100
    assert len(cache) == 1 and cache.size < 500


def test_concurrent_puts_stay_within_capacity():
    cache = ByteCache(50_000)

    def fill(prefix):
        for i in range(500):
            cache.put(f"{prefix}{i}", item(300))
            cache.get(f"{prefix}{i // 2}")

    threads = [threading.Thread(target=fill, args=(p,)) for p in "abcd"]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert 0 < cache.size <= 50_000
    assert cache.size == sum(len(v.body) + len(k) + 200 for k, v in cache._items.items())
