"""The outbox relay and the resize.results consumer, on SQLite with the memory broker."""
import hashlib
import json
import threading

import pytest

from services.metadata.relay.outbox import OutboxRelay
from services.metadata.relay.results import ResultsConsumer
from shared.broker import RESIZE_REQUESTS, BrokerUnavailable
from shared.broker.memory import MemoryBroker
from shared.images import VARIANTS


class FlakyBroker(MemoryBroker):
    """Confirms `allow` messages, then is unavailable."""

    def __init__(self, allow):
        super().__init__()
        self.allow = allow

    def publish(self, queue, message):
        if self.allow <= 0:
            raise BrokerUnavailable("down")
        self.allow -= 1
        super().publish(queue, message)


def drain(broker, queue):
    out = []
    q = broker._queue(queue)
    while not q.empty():
        out.append(json.loads(q.get_nowait()[0]))
    return out


def result_for(sha, names=tuple(VARIANTS), fmts=("jpeg", "webp")):
    return {"sha256": sha, "variants": [
        {"name": n, "fmt": f, "width": VARIANTS[n], "height": VARIANTS[n] * 3 // 4, "bytes": 100}
        for n in names for f in fmts]}


def test_relay_publishes_in_order_and_deletes(api, engine):
    user = api.signup("arpit")
    shas = [api.record(user["id"], f"i{i}".encode()).get_json()["sha256"] for i in range(3)]
    broker = MemoryBroker()
    relay = OutboxRelay(engine, broker)
    assert relay.pending() == 3
    assert relay.relay_once() == 3
    assert relay.pending() == 0
    assert drain(broker, RESIZE_REQUESTS) == [{"sha256": s, "format": "jpeg"} for s in shas]


def test_relay_keeps_unconfirmed_rows_and_drops_confirmed_ones(api, engine):
    user = api.signup("arpit")
    shas = [api.record(user["id"], f"i{i}".encode()).get_json()["sha256"] for i in range(3)]
    broker = FlakyBroker(allow=1)
    relay = OutboxRelay(engine, broker)
    with pytest.raises(BrokerUnavailable):
        relay.relay_once()
    assert relay.pending() == 2
    broker.allow = 10
    assert relay.relay_once() == 2
    assert [m["sha256"] for m in drain(broker, RESIZE_REQUESTS)] == shas


def test_relay_thread_retries_until_the_broker_is_back_and_wakes_on_commit(api, engine):
    user = api.signup("arpit")
    broker = FlakyBroker(allow=0)
    relay = OutboxRelay(engine, broker, poll_interval=5, max_backoff=0.05)
    stop = threading.Event()
    t = threading.Thread(target=relay.run, args=(stop,))
    t.start()
    try:
        api.record(user["id"], b"one")
        broker.allow = 5
        msg, _ = broker._queue(RESIZE_REQUESTS).get(timeout=3)
        assert json.loads(msg)["sha256"] == hashlib.sha256(b"one").hexdigest()
        # A new commit wakes the (now idle, 5 s poll) relay at once.
        api.record(user["id"], b"two")
        msg, _ = broker._queue(RESIZE_REQUESTS).get(timeout=2)
        assert json.loads(msg)["sha256"] == hashlib.sha256(b"two").hexdigest()
    finally:
        stop.set()
        t.join(timeout=5)
    assert not t.is_alive()


def test_results_record_variants_and_refresh_photos_and_users(api, client, engine, read_model):
    alice, bob = api.signup("alice"), api.signup("bob")
    pa = api.record(alice["id"], b"same", activate=True).get_json()
    pb = api.record(bob["id"], b"same").get_json()
    consumer = ResultsConsumer(engine)
    consumer.handle(result_for(pa["sha256"], names=("thumbnail", "small")))
    got = client.get(f"/v1/photos/{pa['id']}", headers=api.auth(alice["token"])).get_json()
    assert got["status"] == "processing"
    assert got["variants"]["thumbnail"] == f"{pa['url']}?size=thumbnail"
    assert got["variants"]["large"] is None
    consumer.handle(result_for(pa["sha256"]))
    consumer.handle(result_for(pa["sha256"]))  # redelivery is harmless
    got = client.get(f"/v1/photos/{pb['id']}", headers=api.auth(bob["token"])).get_json()
    assert got["status"] == "ready"
    assert all(got["variants"][n] == f"{pb['url']}?size={n}" for n in VARIANTS)
    expected = {n: ["jpeg", "webp"] for n in VARIANTS}
    assert read_model.get("photo", pa["id"])["variants"] == expected
    assert read_model.get("photo", pb["id"])["variants"] == expected
    assert read_model.get("user", "alice")["photo"]["variants"] == expected
    # Once the image has variants, uploading it again asks for no resize.
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar_one()
    api.record(api.signup("carol")["id"], b"same")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM outbox").scalar_one() == before


@pytest.mark.parametrize("message", [
    {}, {"sha256": "x"}, {"sha256": "a" * 64, "variants": "no"},
    {"sha256": "a" * 64 + "\n", "variants": []},
    {"sha256": "a" * 64, "variants": [{"name": "huge", "fmt": "jpeg", "width": 1, "height": 1, "bytes": 1}]},
    {"sha256": "a" * 64, "variants": []},  # well-formed, but no such image
])
def test_results_drop_what_cannot_be_recorded(engine, read_model, message):
    consumer = ResultsConsumer(engine)
    consumer.handle(message)  # returns (acks) instead of raising into a requeue loop
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM variants").scalar_one() == 0


def test_a_failure_result_makes_the_photo_failed(api, client, engine, read_model):
    alice = api.signup("alice")
    photo = api.record(alice["id"], b"corrupt").get_json()
    consumer = ResultsConsumer(engine)
    consumer.handle({"sha256": photo["sha256"], "variants": [], "failed": "corrupt_image"})
    got = client.get(f"/v1/photos/{photo['id']}", headers=api.auth(alice["token"])).get_json()
    assert got["status"] == "failed"


def test_a_dead_lettered_request_fails_the_photo_but_never_a_finished_one(
        api, client, engine, read_model):
    alice = api.signup("alice")
    h = api.auth(alice["token"])
    stuck = api.record(alice["id"], b"crashes libvips").get_json()
    done = api.record(alice["id"], b"made it on a redelivery").get_json()
    consumer = ResultsConsumer(engine)
    consumer.handle(result_for(done["sha256"]))
    for photo in (stuck, done):
        consumer.handle_dead_letter({"sha256": photo["sha256"], "format": "jpeg"})
    assert client.get(f"/v1/photos/{stuck['id']}", headers=h).get_json()["status"] == "failed"
    assert client.get(f"/v1/photos/{done['id']}", headers=h).get_json()["status"] == "ready"


def test_the_database_down_asks_to_retry_not_to_spend_an_attempt(engine, read_model, monkeypatch):
    import sqlalchemy as sa

    from shared.broker import RetryLater

    consumer = ResultsConsumer(engine)

    def down():
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(consumer.engine, "connect", down)
    with pytest.raises(RetryLater):
        consumer.handle(result_for("a" * 64))
    with pytest.raises(RetryLater):
        consumer.handle_dead_letter({"sha256": "a" * 64})
