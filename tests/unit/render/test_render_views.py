"""View counting at render (services/render/views.py): which answers count, and how the
counts reach the cache in batches."""
import time
from datetime import date, timedelta

import pytest

from services.render.views import ViewCounter
from shared.cache import CacheUnavailable
from shared.cache.memory import MemoryCache
from shared.viewcounts import COUNTS_KEY, field, parse
from tests import imagefactory as f

TODAY = int(time.time()) // 86400


def pending(world) -> dict:
    world.app.views.flush()
    return world.cache.take_counts(COUNTS_KEY)


def test_every_url_showing_a_photo_counts_a_view_200_and_304(world):
    view = world.add_photo("p1", f.solid_png(200, 100))
    world.set_user("alice", view)
    world.set_email("a" * 32, "alice", view)
    first = world.get("/i/p1")
    assert first.status_code == 200
    assert world.get("/i/p1", If_None_Match=first.headers["ETag"]).status_code == 304
    assert world.get("/alice?s=40").status_code == 200
    assert world.get("/avatar/" + "a" * 32 + "?s=40").status_code == 200
    assert pending(world) == {field(TODAY, "p1"): 4}


def test_defaults_errors_and_head_count_nothing(world):
    view = world.add_photo("p1", f.solid_jpeg(60, 60), rating="x")
    world.set_user("alice", view)
    assert world.get("/alice").status_code == 200          # rated x: the default is shown
    assert world.get("/bob").status_code == 200            # no such user: the default
    assert world.get("/i/nope").status_code == 404
    assert world.get("/i/p1?size=bogus").status_code == 400
    assert world.client.head("/i/p1").status_code == 200
    assert pending(world) == {}


def test_counting_off_counts_nothing(make_world):
    world = make_world(view_counts="off")
    world.add_photo("p1", f.solid_jpeg(60, 60))
    assert world.get("/i/p1").status_code == 200
    world.app.views.flush()
    assert world.cache.take_counts(COUNTS_KEY) == {}


def test_the_setting_is_on_or_off():
    from shared.config import Settings
    with pytest.raises(ValueError):
        Settings(view_counts="yes")


def test_counts_are_batched_per_photo_and_day():
    cache = MemoryCache()
    now = [86400 * 20000 + 86399.5]
    counter = ViewCounter(cache, clock=lambda: now[0])
    for _ in range(3):
        counter.view("a")
    counter.view("b")
    now[0] += 1  # past midnight UTC
    counter.view("a")
    counter.flush()
    counter.flush()  # nothing new: nothing added
    day = date(1970, 1, 1) + timedelta(days=20000)
    assert parse(cache.take_counts(COUNTS_KEY)) == {
        ("a", day): 3, ("b", day): 1, ("a", day + timedelta(days=1)): 1}


class FlakyCache(MemoryCache):
    down = True

    def add_counts(self, key, counts):
        if self.down:
            raise CacheUnavailable("redis: ConnectionError")
        super().add_counts(key, counts)


def test_counts_wait_for_a_cache_that_is_down():
    cache = FlakyCache()
    counter = ViewCounter(cache, clock=lambda: 0)
    counter.view("a")
    counter.flush()  # refused: kept
    counter.view("a")
    cache.down = False
    counter.flush()
    assert cache.take_counts(COUNTS_KEY) == {field(0, "a"): 2}


def test_parse_drops_malformed_fields():
    assert parse({"x:a": 1, "12": 1, "12:": 1, "12:a": 0, "12:a:b": 2}) == {
        ("a:b", date(1970, 1, 13)): 2}
