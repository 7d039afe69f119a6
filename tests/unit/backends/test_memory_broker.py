import threading
import time

import pytest

from shared.broker import create_broker
from shared.broker.memory import MemoryBroker


def run_consumer(broker, queue, handler):
    stop = threading.Event()
    t = threading.Thread(target=broker.consume, args=(queue, handler, stop), daemon=True)
    t.start()
    return stop, t


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_publish_then_consume_in_order_and_stop_is_honoured():
    broker = MemoryBroker(poll_interval=0.05)
    for i in range(3):
        broker.publish("q", {"n": i})
    assert broker.pending("q") == 3
    got = []
    stop, t = run_consumer(broker, "q", got.append)
    assert wait_for(lambda: len(got) == 3)
    assert got == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert broker.pending("q") == 0
    stop.set()
    t.join(timeout=1)
    assert not t.is_alive()


def test_consumer_gets_a_copy_not_the_publishers_dict():
    broker = MemoryBroker(poll_interval=0.05)
    message = {"sha256": "ab", "variants": []}
    broker.publish("q", message)
    message["variants"].append("mutated")
    got = []
    stop, t = run_consumer(broker, "q", got.append)
    assert wait_for(lambda: got)
    stop.set()
    t.join(1)
    assert got == [{"sha256": "ab", "variants": []}]


def test_non_json_message_is_refused_at_publish():
    broker = MemoryBroker()
    with pytest.raises(TypeError):
        broker.publish("q", {"bytes": b"x"})
    assert broker.pending("q") == 0


def test_handler_exception_requeues_after_delay(caplog):
    broker = MemoryBroker(poll_interval=0.02, retry_delay=0.2)
    broker.publish("q", {"id": 1})
    calls = []

    def flaky(message):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("transient")

    stop, t = run_consumer(broker, "q", flaky)
    assert wait_for(lambda: len(calls) == 2)
    stop.set()
    t.join(1)
    assert calls[1] - calls[0] >= 0.19
    assert broker.pending("q") == 0
    assert "requeueing" in caplog.text and "transient" in caplog.text


def test_stop_during_retry_delay_keeps_the_message():
    broker = MemoryBroker(poll_interval=0.02, retry_delay=5)
    broker.publish("q", {"id": 1})
    failed = threading.Event()

    def always_fails(message):
        failed.set()
        raise RuntimeError("down")

    stop, t = run_consumer(broker, "q", always_fails)
    assert failed.wait(2)
    started = time.monotonic()
    stop.set()
    t.join(2)
    assert not t.is_alive() and time.monotonic() - started < 1
    assert broker.pending("q") == 1


def test_queues_are_separate_and_named_brokers_are_shared():
    a = create_broker("memory://test-broker-a")
    assert create_broker("memory://test-broker-a") is a
    assert MemoryBroker.named("memory://test-broker-b") is not a
    a.publish("one", {"x": 1})
    assert a.pending("one") == 1 and a.pending("two") == 0
    assert MemoryBroker.named("memory://test-broker-a").pending("one") == 1
    a.ping()


def test_a_poison_message_is_dead_lettered_and_the_queue_flows_past_it():
    from shared.broker import DELIVERY_LIMIT, dead_letter

    broker = MemoryBroker(poll_interval=0.01, retry_delay=0.01)
    broker.publish("q", {"n": "poison"})
    broker.publish("q", {"n": 1})
    tries, got = [], []

    def handler(message):
        if message["n"] == "poison":
            tries.append(1)
            raise RuntimeError("crashes every time")
        got.append(message)

    stop, t = run_consumer(broker, "q", handler)
    assert wait_for(lambda: broker.pending(dead_letter("q")) == 1 and got == [{"n": 1}])
    stop.set()
    t.join(timeout=1)
    assert len(tries) == DELIVERY_LIMIT + 1
    assert broker.pending("q") == 0


def test_retry_later_keeps_the_message_without_spending_attempts():
    from shared.broker import DELIVERY_LIMIT, RetryLater, dead_letter

    broker = MemoryBroker(poll_interval=0.01, retry_delay=0.001)
    broker.publish("q", {"n": 1})
    calls = []

    def handler(message):
        calls.append(message)
        if len(calls) <= DELIVERY_LIMIT + 3:
            raise RetryLater("store down")

    stop, t = run_consumer(broker, "q", handler)
    assert wait_for(lambda: len(calls) == DELIVERY_LIMIT + 4, timeout=10)
    stop.set()
    t.join(timeout=2)
    assert broker.pending(dead_letter("q")) == 0 and broker.pending("q") == 0
