import itertools
import json
import logging
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pika
import pytest

from shared.broker import DELIVERY_LIMIT, BrokerUnavailable, RetryLater, create_broker, dead_letter
from shared.broker.amqp import AmqpBroker

pytestmark = pytest.mark.integration


@pytest.fixture
def broker(run_id, request, amqp_url):
    prefix = f"{run_id}.{request.node.name[:40]}"
    b = create_broker(amqp_url, queue_prefix=prefix)
    assert isinstance(b, AmqpBroker)
    used = []
    b.test_queue = lambda name: used.append(name) or name
    yield b
    b.close()
    for name in used:
        b.delete_queue(name)


def run_consumer(broker, queue, handler):
    stop = threading.Event()
    t = threading.Thread(target=broker.consume, args=(queue, handler, stop), daemon=True)
    t.start()
    return stop, t


@pytest.fixture
def raw(amqp_url):
    """A plain pika connection, to look at the broker without going through AmqpBroker."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    yield conn
    if conn.is_open:
        conn.close()


def raw_get(conn, queue_name):
    return conn.channel().basic_get(queue_name, auto_ack=True)


def test_publish_sets_durable_persistent_json(broker, raw):
    q = broker.test_queue("resize.requests")
    broker.publish(q, {"sha256": "ab" * 32, "format": "jpeg"})
    method, props, body = raw_get(raw, broker.queue_name(q))
    assert method is not None
    assert props.delivery_mode == 2
    assert props.content_type == "application/json"
    assert json.loads(body) == {"sha256": "ab" * 32, "format": "jpeg"}
    # The queue is durable: redeclaring it passively as durable succeeds, non-durable fails.
    raw.channel().queue_declare(broker.queue_name(q), durable=True, passive=True)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker):
        raw.channel().queue_declare(broker.queue_name(q), durable=False)


def test_round_trip_in_order_and_stop_is_honoured(broker, raw):
    q = broker.test_queue("resize.results")
    for i in range(5):
        broker.publish(q, {"n": i})
    got, done = [], threading.Event()

    def handler(message):
        got.append(message)
        if len(got) == 5:
            done.set()

    stop, t = run_consumer(broker, q, handler)
    assert done.wait(10)
    assert got == [{"n": i} for i in range(5)]
    started = time.monotonic()
    stop.set()
    t.join(5)
    assert not t.is_alive() and time.monotonic() - started < 3
    # Everything was acked: nothing left in the queue.
    assert raw_get(raw, broker.queue_name(q))[0] is None


def test_handler_exception_redelivers(broker, caplog, raw):
    q = broker.test_queue("flaky")
    broker.publish(q, {"id": 7})
    calls, done = [], threading.Event()

    def flaky(message):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("transient failure")
        done.set()

    with caplog.at_level(logging.ERROR):
        stop, t = run_consumer(broker, q, flaky)
        assert done.wait(10)
        stop.set()
        t.join(5)
    assert calls == [{"id": 7}, {"id": 7}]
    assert "transient failure" in caplog.text
    assert raw_get(raw, broker.queue_name(q))[0] is None


def test_unacked_message_survives_a_stopped_consumer(broker, raw):
    q = broker.test_queue("inflight")
    broker.publish(q, {"id": 1})
    stop = threading.Event()
    entered = threading.Event()

    def fails_then_stops(message):
        entered.set()
        stop.set()
        raise RuntimeError("crash mid-message")

    t = threading.Thread(target=broker.consume, args=(q, fails_then_stops, stop), daemon=True)
    t.start()
    assert entered.wait(10)
    t.join(5)
    assert not t.is_alive()
    method, _props, body = raw_get(raw, broker.queue_name(q))
    assert method is not None and json.loads(body) == {"id": 1}


def test_malformed_message_is_dropped_not_looped(broker, raw):
    q = broker.test_queue("malformed")
    broker.publish(q, {"ok": 1})  # declares the queue
    # Confirmed, so it is queued between the two good messages.
    channel = raw.channel()
    channel.confirm_delivery()
    channel.basic_publish("", broker.queue_name(q), b"not json")
    broker.publish(q, {"ok": 2})
    got, done = [], threading.Event()

    def handler(m):
        got.append(m)
        if len(got) == 2:
            done.set()

    stop, t = run_consumer(broker, q, handler)
    assert done.wait(10)
    stop.set()
    t.join(5)
    assert got == [{"ok": 1}, {"ok": 2}]
    left = raw_get(raw, broker.queue_name(q))
    assert left[0] is None, left[2]
    # Kept for a person to look at, in the dead-letter queue.
    dead = raw_get(raw, broker.queue_name(dead_letter(q)))
    assert dead[2] == b"not json"


def test_queues_are_quorum_queues_with_a_delivery_limit(broker, raw):
    q = broker.test_queue("topology")
    broker.publish(q, {"n": 1})
    args = {"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT,
            "x-dead-letter-exchange": broker.dead_letter_exchange,
            "x-dead-letter-routing-key": broker.queue_name(dead_letter(q))}
    assert broker.queue_arguments(q) == args
    # Redeclaring with exactly these arguments is accepted; a classic queue is refused.
    raw.channel().queue_declare(broker.queue_name(q), durable=True, arguments=args)
    with pytest.raises(pika.exceptions.ChannelClosedByBroker):
        raw.channel().queue_declare(broker.queue_name(q), durable=True)


def test_a_poison_message_is_dead_lettered_and_the_queue_flows(broker, raw):
    q = broker.test_queue("poison")
    broker.retry_delay = 0.05
    broker.publish(q, {"n": "poison"})
    broker.publish(q, {"n": 1})
    tries, done = [], threading.Event()

    def handler(m):
        if m["n"] == "poison":
            tries.append(1)
            raise RuntimeError("crashes every time")
        done.set()

    stop, t = run_consumer(broker, q, handler)
    assert done.wait(20), "the good message never got past the poison one"
    deadline = time.monotonic() + 10
    while (dead := raw_get(raw, broker.queue_name(dead_letter(q))))[0] is None:
        assert time.monotonic() < deadline, "poison message never dead-lettered"
        time.sleep(0.1)
    stop.set()
    t.join(5)
    assert json.loads(dead[2]) == {"n": "poison"}
    assert len(tries) == DELIVERY_LIMIT + 1
    assert raw_get(raw, broker.queue_name(q))[0] is None


def test_retry_later_spends_no_delivery_attempts(broker, raw):
    q = broker.test_queue("retrylater")
    broker.retry_delay = 0.01
    broker.publish(q, {"n": 1})
    calls, done = [], threading.Event()

    def handler(m):
        calls.append(m)
        if len(calls) <= DELIVERY_LIMIT + 2:
            raise RetryLater("blob store down")
        done.set()

    stop, t = run_consumer(broker, q, handler)
    assert done.wait(20)
    stop.set()
    t.join(5)
    assert raw_get(raw, broker.queue_name(dead_letter(q)))[0] is None
    assert raw_get(raw, broker.queue_name(q))[0] is None


def test_a_long_handler_keeps_its_connection_alive(broker, amqp_url, raw):
    # heartbeat=1: RabbitMQ drops a connection that misses two. The handler runs 4 s on the
    # worker thread while the connection thread keeps heartbeating: one delivery, acked.
    slow = AmqpBroker(amqp_url + ("&" if "?" in amqp_url else "?") + "heartbeat=1",
                      queue_prefix=broker.queue_prefix)
    q = broker.test_queue("slow")
    broker.publish(q, {"n": 1})
    calls, beats, done = [], [], threading.Event()

    def handler(m):
        calls.append(m)
        time.sleep(4)
        done.set()

    stop = threading.Event()
    t = threading.Thread(target=slow.consume, args=(q, handler, stop),
                         kwargs={"beat": lambda: beats.append(time.monotonic())}, daemon=True)
    t.start()
    assert done.wait(15)
    time.sleep(1)
    stop.set()
    t.join(5)
    assert calls == [{"n": 1}]
    assert raw_get(raw, broker.queue_name(q))[0] is None
    # The liveness beat kept coming while the handler worked.
    assert max(b - a for a, b in itertools.pairwise(beats)) < 1.0


def test_an_empty_classic_queue_is_replaced_a_full_one_is_reported(broker, raw):
    q1, q2 = broker.test_queue("legacy-empty"), broker.test_queue("legacy-full")
    channel = raw.channel()
    channel.queue_declare(broker.queue_name(q1), durable=True)
    channel.queue_declare(broker.queue_name(q2), durable=True)
    channel.basic_publish("", broker.queue_name(q2), b"{}")
    broker.publish(q1, {"n": 1})
    assert json.loads(raw_get(raw, broker.queue_name(q1))[2]) == {"n": 1}
    with pytest.raises(BrokerUnavailable, match="still holds 1 messages"):
        broker.publish(q2, {"n": 1})


def test_publish_from_several_threads(broker, raw):
    q = broker.test_queue("threads")
    errors = []

    def publish_some(n):
        try:
            for i in range(10):
                broker.publish(q, {"t": n, "i": i})
        except Exception as e:  # noqa: BLE001 - every error is collected and asserted on
            errors.append(e)

    threads = [threading.Thread(target=publish_some, args=(n,)) for n in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    seen = set()
    while (item := raw_get(raw, broker.queue_name(q)))[0] is not None:
        m = json.loads(item[2])
        seen.add((m["t"], m["i"]))
    assert seen == {(n, i) for n in range(3) for i in range(10)}


def test_publisher_recovers_after_its_connection_is_closed(broker, raw):
    q = broker.test_queue("reconnect")
    broker.publish(q, {"n": 1})
    broker._local.conn.close()  # as if the broker had dropped the idle connection
    broker.publish(q, {"n": 2})
    broker.ping()
    assert json.loads(raw_get(raw, broker.queue_name(q))[2]) == {"n": 1}
    assert json.loads(raw_get(raw, broker.queue_name(q))[2]) == {"n": 2}


def test_depth_asks_on_one_kept_connection_and_recovers_when_it_is_dropped(broker, monkeypatch):
    # The worker's gauges ask for four queues every 10 s: a connection per question cost
    # more than the question (decision 0068).
    q = broker.test_queue("depth")
    broker.publish(q, {"n": 1})
    broker.publish(q, {"n": 2})
    opened = []
    connect = broker._connect
    monkeypatch.setattr(broker, "_connect", lambda: opened.append(connect()) or opened[-1])
    assert [broker.depth(q) for _ in range(3)] == [2, 2, 2]
    assert broker.depth(broker.test_queue("never-declared")) == 0
    assert broker.depth(q) == 2  # the 404 closed the channel, not the connection
    assert len(opened) == 1
    opened[0].close()  # as if the broker had dropped the idle connection
    assert broker.depth(q) == 2
    assert len(opened) == 2
    broker.close()
    assert not any(conn.is_open for conn in opened)


def test_ping_from_short_lived_threads_keeps_no_connection(broker, monkeypatch):
    # The resizer's /readyz runs each probe on a fresh thread: a ping that kept a per-thread
    # connection leaked one RabbitMQ connection per probe.
    opened = []
    connect = broker._connect
    monkeypatch.setattr(broker, "_connect", lambda: opened.append(connect()) or opened[-1])
    threads = [threading.Thread(target=broker.ping) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(opened) == 20
    assert broker._all == []
    assert not any(conn.is_open for conn in opened)


def test_unreachable_broker_fails_fast(caplog, closed_port):
    url = f"amqp://guest:hunter2-pw@127.0.0.1:{closed_port}/%2F"
    broker = AmqpBroker(url, queue_prefix="unreachable")
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable) as info:
        broker.publish("q", {"x": 1})
    with pytest.raises(BrokerUnavailable):
        broker.ping()
    assert time.monotonic() - started < 5
    assert "hunter2-pw" not in str(info.value)

    # A consumer keeps retrying with backoff and still honours stop.
    stop = threading.Event()
    with caplog.at_level(logging.WARNING):
        t = threading.Thread(target=broker.consume, args=("q", lambda m: None, stop), daemon=True)
        t.start()
        time.sleep(0.8)
        stop.set()
        t.join(3)
    assert not t.is_alive()
    assert "retrying" in caplog.text and "hunter2-pw" not in caplog.text


class DroppableProxy:
    """A TCP forwarder to RabbitMQ whose connections the test can cut, as a network would."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def drop(self):
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.listener.close()
        self.drop()


def test_consumer_reconnects_after_connection_loss(broker, amqp_url, caplog):
    parts = urlsplit(amqp_url)
    proxy = DroppableProxy(parts.port or 5672)
    try:
        via_proxy = AmqpBroker(urlunsplit(parts._replace(netloc=f"{parts.username}:{parts.password}"
                                                                f"@127.0.0.1:{proxy.port}")),
                               queue_prefix=broker.queue_prefix)
        q = broker.test_queue("reconnect-consumer")
        got, first, second = [], threading.Event(), threading.Event()

        def handler(m):
            got.append(m)
            (first if m["n"] == 1 else second).set()

        caplog.set_level(logging.WARNING)
        stop, t = run_consumer(via_proxy, q, handler)
        broker.publish(q, {"n": 1})
        assert first.wait(10)
        proxy.drop()
        broker.publish(q, {"n": 2})
        assert second.wait(10), "consumer did not come back after the connection was cut"
        stop.set()
        t.join(5)
        assert not t.is_alive()
        assert got[0] == {"n": 1} and {"n": 2} in got
        assert "lost RabbitMQ" in caplog.text  # it really went through a reconnect
    finally:
        proxy.close()
