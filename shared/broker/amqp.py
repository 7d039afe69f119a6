"""RabbitMQ through pika's BlockingConnection.

Durable queues, persistent messages and publisher confirms, so `publish` returning means the
broker has the message; consumers ack only after their handler returned. Connection
parameters are short so a stopped broker fails fast: publishers (the outbox relay) retry
later, consumers reconnect with capped backoff.
"""
from __future__ import annotations

import contextlib
import json
import logging
import threading
from urllib.parse import parse_qs, urlsplit

import pika
import pika.exceptions

from . import Broker, BrokerUnavailable, Handler

log = logging.getLogger(__name__)

# pika raises its own errors, but a broken socket can also surface as a bare OSError.
_ERRORS = (pika.exceptions.AMQPError, OSError)
# Defaults applied unless the URL's query string sets them (pika reads those itself).
_PARAM_DEFAULTS = {"connection_attempts": 1, "retry_delay": 0.5, "socket_timeout": 2.0,
                   "stack_timeout": 5.0, "blocked_connection_timeout": 10.0}
_BACKOFF_START, _BACKOFF_MAX = 0.5, 10.0


class AmqpBroker(Broker):
    def __init__(self, url: str, queue_prefix: str = "onepic", *, prefetch_count: int = 1,
                 retry_delay: float = 0.5, inactivity_timeout: float = 0.5):
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
        # BlockingConnection is not thread-safe: each publishing thread gets its own.
        self._local = threading.local()
        self._all_lock = threading.Lock()
        self._all: list[pika.BlockingConnection] = []

    def queue_name(self, queue: str) -> str:
        return f"{self.queue_prefix}.{queue}"

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
                    channel.queue_declare(queue=name, durable=True)
                    self._local.declared.add(name)
                channel.basic_publish(
                    exchange="", routing_key=name, body=body, mandatory=True,
                    properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent,
                                                    content_type="application/json"))
                return
            except BrokerUnavailable:
                raise
            except (pika.exceptions.NackError, pika.exceptions.UnroutableError) as e:
                self._drop_publisher()
                raise BrokerUnavailable(f"RabbitMQ did not confirm the message to {name}: "
                                        f"{type(e).__name__}") from e
            except _ERRORS as e:
                self._drop_publisher()
                if attempt == 2:
                    raise BrokerUnavailable(f"publish to {name} at {self._where} failed: "
                                            f"{type(e).__name__}") from e
                log.info("publisher connection to %s was stale (%s); reconnecting",
                         self._where, type(e).__name__)

    def consume(self, queue: str, handler: Handler, stop: threading.Event) -> None:
        name = self.queue_name(queue)
        backoff = _BACKOFF_START
        while not stop.is_set():
            conn = None
            try:
                conn = self._connect()
                channel = conn.channel()
                channel.queue_declare(queue=name, durable=True)
                channel.basic_qos(prefetch_count=self.prefetch_count)
                log.info("consuming %s at %s", name, self._where)
                backoff = _BACKOFF_START
                for method, _props, body in channel.consume(
                        name, inactivity_timeout=self.inactivity_timeout):
                    if method is not None:
                        self._deliver(conn, channel, name, method, body, handler)
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
                log.warning("consumer of %s lost RabbitMQ at %s (%s); retrying in %.1fs",
                            name, self._where, type(e).__name__, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)

    def _deliver(self, conn, channel, name: str, method, body: bytes, handler: Handler) -> None:
        try:
            message = json.loads(body)
            if not isinstance(message, dict):
                raise ValueError("message is not a JSON object")
        except ValueError:
            # Requeueing a message that can never parse would loop forever: drop it, loudly.
            log.error("dropping malformed message on %s (%d bytes)", name, len(body))
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        try:
            handler(message)
        except Exception:
            log.exception("handler for %s failed; requeueing the message", name)
            # conn.sleep keeps heartbeats flowing, unlike time.sleep; the delay stops a
            # failing message from being redelivered in a tight loop.
            conn.sleep(self.retry_delay)
            channel.basic_nack(method.delivery_tag, requeue=True)
            return
        channel.basic_ack(method.delivery_tag)

    def ping(self) -> None:
        """Open a connection and close it again. Deliberately not the calling thread's
        publisher connection: /readyz runs on a new thread per request (ThreadingHTTPServer),
        and a per-thread connection made there would stay open in `_all` until close()."""
        conn = self._connect()
        _close_quietly(conn)

    def close(self) -> None:
        """Close every publisher connection; call once publishing threads are done."""
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            _close_quietly(conn)
        self._local = threading.local()

    def delete_queue(self, queue: str) -> None:
        """Delete the (prefixed) queue; for tests and tooling."""
        conn = self._connect()
        try:
            conn.channel().queue_delete(queue=self.queue_name(queue))
        except _ERRORS as e:
            raise BrokerUnavailable(f"cannot delete {queue}: {type(e).__name__}") from e
        finally:
            _close_quietly(conn)


def _close_quietly(conn) -> None:
    # Any failure is ignored: the connection is being discarded anyway.
    with contextlib.suppress(Exception):
        if conn.is_open:
            conn.close()
