"""RabbitMQ through pika's BlockingConnection.

Quorum queues, persistent messages and publisher confirms, so `publish` returning means the
broker has the message; consumers ack only after their handler returned. Connection
parameters are short so a stopped broker fails fast: publishers (the outbox relay) retry
later, consumers reconnect with capped backoff.

Topology, declared the same way by every publisher and consumer (`_declare`): each work
queue `<prefix>.<queue>` is a quorum queue with `x-delivery-limit` DELIVERY_LIMIT, dead-
lettering to the direct exchange `<prefix>.dead` with routing key `<prefix>.<queue>.dead`,
which is bound to the quorum queue of that name. Quorum queues count deliveries themselves,
so a message whose consumer crashes (kill -9, segfault) is counted too, not only one whose
handler raised. A queue left from an older version as a classic queue cannot be redeclared
with these arguments (406 PRECONDITION_FAILED): an empty, unused one is replaced, one that
still holds messages is reported and left for an operator to drain (docs/reliability.md).

The handler runs on a worker thread while the connection's thread keeps servicing the
socket (heartbeats) and alone touches the channel (ack/nack), as pika requires; a slow image
no longer makes RabbitMQ drop the connection and redeliver it in a loop.
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pika
import pika.exceptions

from shared import metrics

from . import (
    DELIVERY_LIMIT,
    Broker,
    BrokerUnavailable,
    Handler,
    RetryLater,
    dead_letter,
    is_dead_letter,
)

log = logging.getLogger(__name__)

# pika raises its own errors, but a broken socket can also surface as a bare OSError.
_ERRORS = (pika.exceptions.AMQPError, OSError)
# Defaults applied unless the URL's query string sets them (pika reads those itself).
_PARAM_DEFAULTS = {"connection_attempts": 1, "retry_delay": 0.5, "socket_timeout": 2.0,
                   "stack_timeout": 5.0, "blocked_connection_timeout": 10.0}
_BACKOFF_START, _BACKOFF_MAX = 0.5, 10.0
# How often the connection thread services the socket while a handler works.
_POLL = 0.05


class AmqpBroker(Broker):
    def __init__(self, url: str, queue_prefix: str = "onepic", *, prefetch_count: int = 1,
                 retry_delay: float = 0.5, inactivity_timeout: float = 0.5,
                 handler_timeout: float = 600.0):
        self._params = pika.URLParameters(url)
        given = set(parse_qs(urlsplit(url).query))
        for name, value in _PARAM_DEFAULTS.items():
            if name not in given:
                setattr(self._params, name, value)
        parts = urlsplit(url)
        # Where we talk to, for logs: never the user name or password.
        self._where = f"{parts.hostname}:{parts.port or 5672}{parts.path or '/'}"
        self.queue_prefix = queue_prefix
        self.prefetch_count = prefetch_count
        self.retry_delay = retry_delay
        self.inactivity_timeout = inactivity_timeout
        # A handler running longer than this stops the liveness beat: it is wedged.
        self.handler_timeout = handler_timeout
        # BlockingConnection is not thread-safe: each publishing thread gets its own.
        self._local = threading.local()
        self._all_lock = threading.Lock()
        self._all: list[pika.BlockingConnection] = []
        # depth()'s own connection (and channel), kept between calls.
        self._depth_lock = threading.Lock()
        self._depth_conn: pika.BlockingConnection | None = None
        self._depth_channel = None

    def queue_name(self, queue: str) -> str:
        return f"{self.queue_prefix}.{queue}"

    @property
    def dead_letter_exchange(self) -> str:
        return f"{self.queue_prefix}.dead"

    def queue_arguments(self, queue: str) -> dict:
        """The arguments `queue` is declared with, everywhere."""
        args: dict = {"x-queue-type": "quorum"}
        if not is_dead_letter(queue):
            args.update({"x-delivery-limit": DELIVERY_LIMIT,
                         "x-dead-letter-exchange": self.dead_letter_exchange,
                         "x-dead-letter-routing-key": self.queue_name(dead_letter(queue))})
        return args

    def _declare(self, conn: pika.BlockingConnection, queue: str) -> None:
        """Declare `queue` and, for a work queue, its dead-letter exchange, queue and binding
        first (a message dead-lettered to an unbound exchange would be dropped)."""
        if not is_dead_letter(queue):
            dead = self.queue_name(dead_letter(queue))
            channel = conn.channel()
            try:
                channel.exchange_declare(self.dead_letter_exchange, exchange_type="direct",
                                         durable=True)
            finally:
                _close_quietly(channel)
            self._declare_queue(conn, dead, self.queue_arguments(dead_letter(queue)))
            channel = conn.channel()
            try:
                channel.queue_bind(dead, self.dead_letter_exchange, routing_key=dead)
            finally:
                _close_quietly(channel)
        self._declare_queue(conn, self.queue_name(queue), self.queue_arguments(queue))

    def _declare_queue(self, conn: pika.BlockingConnection, name: str, args: dict) -> None:
        for _attempt in range(3):
            channel = conn.channel()
            try:
                channel.queue_declare(name, durable=True, arguments=args)
                return
            except pika.exceptions.ChannelClosedByBroker as e:
                if e.reply_code != 406:
                    raise
            finally:
                _close_quietly(channel)
            # 406: the queue exists with other arguments (a classic queue of an older
            # version). Replace it only when nothing can be lost.
            channel = conn.channel()
            try:
                ok = channel.queue_declare(name, passive=True).method
                if ok.message_count or ok.consumer_count:
                    raise BrokerUnavailable(
                        f"queue {name} exists with other arguments and still holds "
                        f"{ok.message_count} messages / {ok.consumer_count} consumers; drain "
                        f"and delete it (docs/reliability.md, 'Upgrading queues')")
                channel.queue_delete(name, if_unused=True, if_empty=True)
                log.warning("replaced the empty queue %s by a quorum queue", name)
            except pika.exceptions.ChannelClosedByBroker:
                pass  # another process replaced it meanwhile: declare again
            finally:
                _close_quietly(channel)
        raise BrokerUnavailable(f"cannot declare queue {name}")

    # -- connections ---------------------------------------------------------------------

    def _connect(self) -> pika.BlockingConnection:
        try:
            return pika.BlockingConnection(self._params)
        except _ERRORS as e:
            raise BrokerUnavailable(f"cannot connect to RabbitMQ at {self._where}: "
                                    f"{type(e).__name__}") from e

    def _publisher_channel(self):
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or not conn.is_open or local.channel is None or not local.channel.is_open:
            self._drop_publisher()
            conn = self._connect()
            with self._all_lock:
                self._all.append(conn)
            channel = conn.channel()
            channel.confirm_delivery()
            local.conn, local.channel, local.declared = conn, channel, set()
        return local.channel

    def _drop_publisher(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = self._local.channel = None
        self._local.declared = set()
        if conn is not None:
            with self._all_lock:
                if conn in self._all:
                    self._all.remove(conn)
            _close_quietly(conn)

    # -- Broker --------------------------------------------------------------------------

    def publish(self, queue: str, message: dict) -> None:
        body = json.dumps(message).encode()
        name = self.queue_name(queue)
        # An idle publisher connection may have been closed by the broker (missed heartbeats,
        # restart) without us noticing; one retry on a fresh connection covers that. A
        # duplicate from the retry is harmless: consumers are idempotent.
        for attempt in (1, 2):
            try:
                channel = self._publisher_channel()
                if name not in self._local.declared:
                    self._declare(self._local.conn, queue)
                    self._local.declared.add(name)
                channel.basic_publish(
                    exchange="", routing_key=name, body=body, mandatory=True,
                    properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent,
                                                    content_type="application/json",
                                                    timestamp=int(time.time())))
                return
            except BrokerUnavailable:
                raise
            except (pika.exceptions.NackError, pika.exceptions.UnroutableError) as e:
                self._drop_publisher()
                # A quorum queue declared a moment ago may nack while its leader is elected:
                # once more after a pause (a duplicate is harmless), then it is the caller's.
                if attempt == 1 and isinstance(e, pika.exceptions.NackError):
                    log.info("RabbitMQ nacked a message to %s; retrying once", name)
                    time.sleep(0.2)
                    continue
                raise BrokerUnavailable(f"RabbitMQ did not confirm the message to {name}: "
                                        f"{type(e).__name__}") from e
            except _ERRORS as e:
                self._drop_publisher()
                if attempt == 2:
                    raise BrokerUnavailable(f"publish to {name} at {self._where} failed: "
                                            f"{type(e).__name__}") from e
                log.info("publisher connection to %s was stale (%s); reconnecting",
                         self._where, type(e).__name__)

    def consume(self, queue: str, handler: Handler, stop: threading.Event,
                beat: Callable[[], None] | None = None) -> None:
        name = self.queue_name(queue)
        backoff = _BACKOFF_START
        # One worker thread for this consumer's handler, reused so its thread-local publisher
        # connection (the resizer publishes results) is reused too.
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{queue}-handler")
        try:
            while not stop.is_set():
                conn = None
                try:
                    conn = self._connect()
                    self._declare(conn, queue)
                    channel = conn.channel()
                    channel.basic_qos(prefetch_count=self.prefetch_count)
                    log.info("consuming %s at %s", name, self._where)
                    backoff = _BACKOFF_START
                    for method, props, body in channel.consume(
                            name, inactivity_timeout=self.inactivity_timeout):
                        if beat:
                            beat()
                        if method is not None:
                            self._deliver(conn, channel, queue, method, props, body, handler,
                                          worker, stop, beat)
                        if stop.is_set():
                            break
                    # Cancelling returns any prefetched, unacknowledged messages to the queue.
                    channel.cancel()
                    _close_quietly(conn)
                    return
                except (BrokerUnavailable, *_ERRORS) as e:
                    if conn is not None:
                        _close_quietly(conn)
                    if stop.is_set():
                        return
                    log.warning("consumer of %s lost RabbitMQ at %s (%s: %s); retrying in %.1fs",
                                name, self._where, type(e).__name__, e, backoff)
                    # Waiting for the broker is progress of a kind: keep the liveness beat.
                    deadline = time.monotonic() + backoff
                    while not stop.wait(min(1.0, max(0.0, deadline - time.monotonic()))):
                        if beat:
                            beat()
                        if time.monotonic() >= deadline:
                            break
                    backoff = min(backoff * 2, _BACKOFF_MAX)
        finally:
            worker.shutdown(wait=True)

    def _deliver(self, conn, channel, queue: str, method, props, body: bytes, handler: Handler,
                 worker: ThreadPoolExecutor, stop: threading.Event, beat) -> None:
        name = self.queue_name(queue)
        try:
            message = json.loads(body)
            if not isinstance(message, dict):
                raise ValueError("message is not a JSON object")
        except ValueError:
            # Requeueing a message that can never parse would loop: dead-letter it, loudly.
            log.error("dead-lettering malformed message on %s (%d bytes)", name, len(body))
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        if props is not None and props.timestamp:
            metrics.QUEUE_WAIT.labels(queue).observe(max(0.0, time.time() - props.timestamp))
        backoff = self.retry_delay
        while True:
            error = self._run(conn, worker, handler, message, beat)
            if error is None:
                channel.basic_ack(method.delivery_tag)
                return
            if isinstance(error, RetryLater):
                # Not the message's fault: keep it, and do not spend its delivery attempts.
                log.warning("handler for %s cannot finish now (%s); retrying in %.1fs",
                            name, error, backoff)
                if self._sleep(conn, backoff, stop, beat):
                    channel.basic_nack(method.delivery_tag, requeue=True)
                    return
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            log.error("handler for %s failed (%s: %s); requeueing the message (delivery %s of "
                      "%d before dead-lettering)", name, type(error).__name__, error,
                      _delivery_count(props) + 1, DELIVERY_LIMIT + 1, exc_info=error)
            # conn.sleep keeps heartbeats flowing, unlike time.sleep; the delay stops a
            # failing message from being redelivered in a tight loop.
            conn.sleep(self.retry_delay)
            channel.basic_nack(method.delivery_tag, requeue=True)
            return

    def _run(self, conn, worker: ThreadPoolExecutor, handler: Handler, message: dict, beat):
        """Run the handler on the worker thread; service the connection until it is done.
        Returns the exception it raised, or None."""
        future = worker.submit(handler, message)
        started = time.monotonic()
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        while not done.wait(_POLL):
            conn.process_data_events(time_limit=0)
            if beat and time.monotonic() - started < self.handler_timeout:
                beat()
        return future.exception()

    @staticmethod
    def _sleep(conn, seconds: float, stop: threading.Event, beat) -> bool:
        """Sleep servicing the connection; True if `stop` was set meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if stop.is_set():
                return True
            conn.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            if beat:
                beat()
        return stop.is_set()

    def depth(self, queue: str) -> int | None:
        """Messages ready in the queue, or None when the broker cannot be asked.

        On one connection kept for these questions (the worker asks for four queues every
        10 s): a connection each cost more CPU, ours and RabbitMQ's, than the question. A
        connection the broker dropped meanwhile is replaced once, as publish does."""
        with self._depth_lock:
            for attempt in (1, 2):
                try:
                    if self._depth_channel is None or not self._depth_channel.is_open:
                        if self._depth_conn is None or not self._depth_conn.is_open:
                            self._depth_conn = self._connect()
                        self._depth_channel = self._depth_conn.channel()
                    return self._depth_channel.queue_declare(
                        self.queue_name(queue), passive=True).method.message_count
                except BrokerUnavailable:
                    return None
                except pika.exceptions.ChannelClosedByBroker:
                    self._depth_channel = None  # 404 closes the channel, not the connection
                    return 0  # not declared yet: nothing waits in it
                except _ERRORS:
                    self._drop_depth()
                    if attempt == 2:
                        return None
            return None

    def _drop_depth(self) -> None:
        conn, self._depth_conn, self._depth_channel = self._depth_conn, None, None
        if conn is not None:
            _close_quietly(conn)

    def ping(self) -> None:
        """Open a connection and close it again. Deliberately not the calling thread's
        publisher connection: /readyz runs on a new thread per request (ThreadingHTTPServer),
        and a per-thread connection made there would stay open in `_all` until close()."""
        conn = self._connect()
        _close_quietly(conn)

    def close(self) -> None:
        """Close every publisher connection and depth()'s; call once publishing threads are
        done."""
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            _close_quietly(conn)
        self._local = threading.local()
        with self._depth_lock:
            self._drop_depth()

    def delete_queue(self, queue: str) -> None:
        """Delete the (prefixed) queue and its dead-letter queue; for tests and tooling."""
        conn = self._connect()
        try:
            channel = conn.channel()
            channel.queue_delete(queue=self.queue_name(queue))
            if not is_dead_letter(queue):
                channel.queue_delete(queue=self.queue_name(dead_letter(queue)))
        except _ERRORS as e:
            raise BrokerUnavailable(f"cannot delete {queue}: {type(e).__name__}") from e
        finally:
            _close_quietly(conn)
        if not is_dead_letter(queue):
            self.delete_dead_letter_exchange()

    def delete_dead_letter_exchange(self) -> bool:
        """Delete the prefix's dead-letter exchange once no queue is bound to it (True if it
        is gone); for tests and tooling. Exchanges are durable: without this every test
        run's or `make up`'s prefix would leave one behind."""
        conn = self._connect()
        try:
            conn.channel().exchange_delete(self.dead_letter_exchange, if_unused=True)
            return True
        except pika.exceptions.ChannelClosedByBroker:
            return False  # still bound to another queue of this prefix
        except _ERRORS as e:
            raise BrokerUnavailable(f"cannot delete {self.dead_letter_exchange}: "
                                    f"{type(e).__name__}") from e
        finally:
            _close_quietly(conn)


def _delivery_count(props) -> int:
    """Failed deliveries so far, as the quorum queue counts them (x-delivery-count)."""
    headers = (props.headers or {}) if props is not None else {}
    count = headers.get("x-delivery-count", 0)
    return count if isinstance(count, int) else 0


def _close_quietly(conn) -> None:
    # Any failure is ignored: the connection is being discarded anyway.
    with contextlib.suppress(Exception):
        if conn.is_open:
            conn.close()
