"""The outbox relay and results consumer against PostgreSQL, RabbitMQ and Redis."""
import hashlib
import json
import threading
import time
from datetime import UTC, datetime

import pika
import pytest

from services.metadata.db.schema import outbox
from services.metadata.relay.outbox import OutboxRelay
from services.metadata.worker import start_background
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS, BrokerUnavailable
from shared.broker.amqp import AmqpBroker
from shared.images import VARIANTS
from tests.metadata_api import stand_in_resizer

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(amqp_url, run_id):
    broker = AmqpBroker(amqp_url, queue_prefix=f"{run_id}.meta")
    yield broker
    for q in (RESIZE_REQUESTS, RESIZE_RESULTS):
        broker.delete_queue(q)
    broker.close()


def fill_outbox(engine, n):
    with engine.begin() as conn:
        conn.execute(outbox.insert(), [
            {"queue": RESIZE_REQUESTS, "payload": json.dumps({"sha256": f"{i:064x}", "format": "jpeg"}),
             "created_at": datetime.now(UTC)} for i in range(n)])


def drain(amqp_url, name):
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        ch, out = conn.channel(), []
        while True:
            method, _, body = ch.basic_get(queue=name, auto_ack=True)
            if method is None:
                return out
            out.append(json.loads(body))
    finally:
        conn.close()


def test_several_relays_publish_every_row_exactly_once(pg_engine, broker, amqp_url):
    fill_outbox(pg_engine, 60)
    relays = [OutboxRelay(pg_engine, broker, batch=7) for _ in range(3)]
    barrier = threading.Barrier(3)

    def work(relay):
        barrier.wait()
        while relay.relay_once():
            pass

    threads = [threading.Thread(target=work, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert relays[0].pending() == 0
    got = sorted(m["sha256"] for m in drain(amqp_url, broker.queue_name(RESIZE_REQUESTS)))
    assert got == [f"{i:064x}" for i in range(60)]


def test_rows_wait_while_rabbitmq_is_unreachable(pg_engine, closed_port, run_id):
    fill_outbox(pg_engine, 2)
    down = AmqpBroker(f"amqp://guest:guest@127.0.0.1:{closed_port}/%2F", queue_prefix=run_id)
    relay = OutboxRelay(pg_engine, down)
    with pytest.raises(BrokerUnavailable):
        relay.relay_once()
    assert relay.pending() == 2


def test_upload_to_ready_through_rabbitmq_and_redis(api, client, settings, broker, redis_cache,
                                                    read_model, names):
    stop = threading.Event()
    threads = start_background(settings, stop, cache=redis_cache, broker=broker)

    resizer = threading.Thread(target=broker.consume,
                               args=(RESIZE_REQUESTS, stand_in_resizer(broker), stop))
    resizer.start()
    try:
        name = names("ready")
        user = api.signup(name)
        photo = api.record(user["id"], b"round trip", activate=True).get_json()
        assert photo["sha256"] == hashlib.sha256(b"round trip").hexdigest()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            entry = read_model.get("user", name)
            if entry["photo"]["variants"]:
                break
            time.sleep(0.05)
        assert entry["photo"]["variants"] == {n: ["jpeg", "webp"] for n in VARIANTS}
        got = client.get(f"/v1/photos/{photo['id']}", headers=api.auth(user["token"])).get_json()
        assert got["status"] == "ready"
    finally:
        stop.set()
        for t in [*threads, resizer]:
            t.join(timeout=10)
    assert not any(t.is_alive() for t in [*threads, resizer])


def test_a_commit_in_another_process_wakes_the_idle_relay_by_notify(pg_engine, broker, amqp_url):
    # The API commits in its own process, so only PostgreSQL's NOTIFY can wake the relay in
    # the worker before its poll: with a 30 s poll, a publish within seconds is the NOTIFY.
    from services.metadata import db

    relay = OutboxRelay(pg_engine, broker, poll_interval=30)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        time.sleep(0.5)                       # idle, LISTENing
        with pg_engine.begin() as conn:
            conn.execute(outbox.insert().values(
                queue=RESIZE_REQUESTS, created_at=datetime.now(UTC),
                payload=json.dumps({"sha256": "ab" * 32, "format": "jpeg"})))
            db.notify_outbox(conn)
        got = _published(amqp_url, broker, within=5)
        assert [m["sha256"] for m in got] == ["ab" * 32]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _published(amqp_url, broker, within: float) -> list:
    deadline, got = time.monotonic() + within, []
    while not got and time.monotonic() < deadline:
        try:
            got = drain(amqp_url, broker.queue_name(RESIZE_REQUESTS))
        except pika.exceptions.ChannelClosedByBroker:   # not declared until published
            pass
        time.sleep(0.05)
    return got


def test_rows_committed_while_the_listen_connection_was_lost_go_out_when_it_is_back(
        pg_engine, broker, amqp_url):
    """Listening, the relay polls rarely (listen_poll_interval); a commit made while its
    LISTEN connection was gone notified nobody, so setting LISTEN up again starts a pass."""
    import sqlalchemy as sa

    relay = OutboxRelay(pg_engine, broker, poll_interval=0.2, listen_poll_interval=60)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while relay._listen is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # past the first wait (the short poll, before LISTEN was up)
        listening = relay._listen
        assert listening is not None
        with pg_engine.begin() as conn:
            pid = listening.driver_connection.get_backend_pid()
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            # Committed in the gap, and not notified at all: only a pass finds it.
            conn.execute(outbox.insert().values(
                queue=RESIZE_REQUESTS, created_at=datetime.now(UTC),
                payload=json.dumps({"sha256": "cd" * 32, "format": "jpeg"})))
        got = _published(amqp_url, broker, within=5)
        assert [m["sha256"] for m in got] == ["cd" * 32]
        assert relay._listen is not None and relay._listen is not listening
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
