"""View statistics: the rollup from the cache's batches into photo_views, and
GET /v1/photos/<id>/stats (on SQLite; the Postgres run is in tests/integration/metadata)."""
from datetime import date, timedelta

import pytest

from services.metadata.stats.rollup import ViewRollup
from shared.cache import CacheUnavailable
from shared.viewcounts import COUNTS_KEY, field

DAY = (date(2030, 1, 1) - date(1970, 1, 1)).days


def photo_of(api, user) -> str:
    r = api.record(user["id"], data=b"some bytes")
    assert r.status_code == 201
    return r.get_json()["id"]


def test_rollup_adds_batches_up_per_day_and_stats_show_them(api, app, cache):
    user = api.signup()
    pid = photo_of(api, user)
    rollup = ViewRollup(app.extensions["onepic_metadata"].engine, cache)
    cache.add_counts(COUNTS_KEY, {field(DAY, pid): 3, field(DAY + 1, pid): 1})
    assert rollup.roll_once() == 4
    cache.add_counts(COUNTS_KEY, {field(DAY, pid): 2})
    assert rollup.roll_once() == 2
    assert rollup.roll_once() == 0  # nothing pending
    r = api.client.get(f"/v1/photos/{pid}/stats", headers=api.auth(user["token"]))
    assert r.status_code == 200
    assert r.get_json() == {"total": 6, "days": [
        {"date": "2030-01-01", "views": 5},
        {"date": (date(2030, 1, 1) + timedelta(days=1)).isoformat(), "views": 1}]}


def test_a_photo_without_views_has_empty_stats(api):
    user = api.signup()
    pid = photo_of(api, user)
    r = api.client.get(f"/v1/photos/{pid}/stats", headers=api.auth(user["token"]))
    assert r.get_json() == {"total": 0, "days": []}


def test_stats_are_the_owners_only(api):
    alice, bob = api.signup(), api.signup()
    pid = photo_of(api, alice)
    assert api.client.get(f"/v1/photos/{pid}/stats", headers=api.auth(bob["token"])).status_code == 404
    assert api.client.get(f"/v1/photos/{pid}/stats").status_code == 401


def test_counts_of_unknown_or_deleted_photos_are_dropped(api, app, cache):
    user = api.signup()
    pid = photo_of(api, user)
    rollup = ViewRollup(app.extensions["onepic_metadata"].engine, cache)
    cache.add_counts(COUNTS_KEY, {field(DAY, "no-such-photo"): 7, field(DAY, pid): 1})
    assert rollup.roll_once() == 1
    assert api.client.delete(f"/v1/photos/{pid}", headers=api.auth(user["token"])).status_code == 204
    cache.add_counts(COUNTS_KEY, {field(DAY, pid): 1})
    assert rollup.roll_once() == 0


def test_a_failed_database_write_puts_the_counts_back(api, app, cache, monkeypatch):
    from services.metadata.stats import store

    user = api.signup()
    pid = photo_of(api, user)
    rollup = ViewRollup(app.extensions["onepic_metadata"].engine, cache)
    cache.add_counts(COUNTS_KEY, {field(DAY, pid): 5})

    def broken(conn, counts):
        raise RuntimeError("database went away")

    monkeypatch.setattr(store, "add_views", broken)
    with pytest.raises(RuntimeError):
        rollup.roll_once()
    monkeypatch.undo()
    assert rollup.roll_once() == 5


def test_a_cache_that_is_down_fails_the_round_and_loses_nothing(app):
    class Down:
        def take_counts(self, key):
            raise CacheUnavailable("redis: ConnectionError")

    rollup = ViewRollup(app.extensions["onepic_metadata"].engine, Down())
    with pytest.raises(CacheUnavailable):
        rollup.roll_once()
