"""The read model converges: versions from the database, compare-and-set, pending writes
retried until they land, announcements for render."""
import sqlalchemy as sa

from services.metadata.relay.readmodel_writer import ReadModelWriter
from shared.cache import CacheUnavailable
from shared.readmodel import CHANGED


def pending(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT key FROM rm_pending ORDER BY key")).scalars().all()


def test_every_change_bumps_the_version_and_nothing_stays_pending(api, client, engine, read_model):
    user = api.signup("alice")
    one = api.record(user["id"], b"one", activate=True).get_json()
    entry, v1 = read_model.get_versioned("user", "alice")
    assert entry["photo"]["id"] == one["id"]
    two = api.record(user["id"], b"two").get_json()
    client.put("/v1/me/active-photo", json={"photo_id": two["id"]}, headers=api.auth(user["token"]))
    entry, v2 = read_model.get_versioned("user", "alice")
    assert entry["photo"]["id"] == two["id"] and v2 > v1
    assert pending(engine) == []


def test_an_older_state_never_replaces_a_newer(api, engine, read_model):
    user = api.signup("bob")
    api.record(user["id"], b"one", activate=True)
    entry, version = read_model.get_versioned("user", "bob")
    # A slow writer arriving with the state of an earlier version is refused.
    assert read_model.put("user", "bob", {"username": "bob", "photo": None}, version - 1) is False
    assert read_model.put("user", "bob", {"username": "bob", "photo": None}, version) is False
    assert read_model.get("user", "bob") == entry


def test_writes_that_fail_stay_pending_and_the_retry_lands_them(api, client, engine, cache,
                                                                 read_model, monkeypatch):
    user = api.signup("carol")
    photo = api.record(user["id"], b"one").get_json()

    def down(*_a, **_k):
        raise CacheUnavailable("redis: ConnectionError")

    monkeypatch.setattr(cache, "set_if_newer", down)
    r = client.put("/v1/me/active-photo", json={"photo_id": photo["id"]},
                   headers=api.auth(user["token"]))
    assert r.status_code == 200   # the change is committed; its refresh is pending
    assert pending(engine) == ["user:carol"]
    assert read_model.get("user", "carol")["photo"] is None
    monkeypatch.undo()
    heard = []
    cache.publish = lambda channel, message: heard.append((channel, message))
    with engine.connect() as conn:
        assert ReadModelWriter(read_model).retry_pending(conn) == 1
    assert read_model.get("user", "carol")["photo"]["id"] == photo["id"]
    assert pending(engine) == [] and heard == [(CHANGED, "user:carol")]


def test_a_miss_writes_back_only_what_is_not_older(api, engine, read_model, client):
    user = api.signup("dave")
    api.record(user["id"], b"one", activate=True)
    cache_entry = read_model.get("user", "dave")
    read_model.cache.delete("rm:user:dave")
    with engine.connect() as conn:
        got = ReadModelWriter(read_model).resolve(conn, "user", "dave")
    assert got == cache_entry == read_model.get("user", "dave")


def test_reconcile_verifies_and_rebuilds_the_whole_read_model(api, engine, read_model):
    from services.metadata import reconcile

    user = api.signup("erin")
    api.record(user["id"], b"one", activate=True)
    assert reconcile.verify(engine, read_model, progress=False) == []
    read_model.cache.delete("rm:user:erin")                # flushed
    read_model.cache.set("rm:photo:nope", b"{}")          # junk not in the database: ignored
    assert reconcile.verify(engine, read_model, progress=False) == ["user:erin"]
    assert reconcile.rebuild(engine, ReadModelWriter(read_model), progress=False) >= 2
    assert reconcile.verify(engine, read_model, progress=False) == []
