"""Durable messages between services: resize requests and their results.

Messages are JSON objects. `publish` returns only once the broker has taken responsibility
for the message (publisher confirms on RabbitMQ). `consume` hands each message to a handler
and acknowledges it only after the handler returns, so a crash means redelivery; handlers are
idempotent. One module per backend (`memory`, `amqp`); nothing outside them imports pika.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from urllib.parse import urlsplit

Handler = Callable[[dict], None]

# Logical queue names; backends may prefix them (QUEUE_PREFIX).
RESIZE_REQUESTS = "resize.requests"
RESIZE_RESULTS = "resize.results"


class BrokerUnavailable(RuntimeError):
    """The broker could not be reached or did not confirm the message."""


class Broker(ABC):
    @abstractmethod
    def publish(self, queue: str, message: dict) -> None:
        """Send a persistent message; raise BrokerUnavailable unless it was confirmed."""

    @abstractmethod
    def consume(self, queue: str, handler: Handler, stop: threading.Event) -> None:
        """Deliver messages to `handler` until `stop` is set, reconnecting on connection loss.

        A handler that returns → ack. A handler that raises → the message is requeued (after a
        short delay) so a transient failure is retried; the error is logged.
        Blocks; run it in its own thread or process. Returns soon after `stop` is set,
        having finished the message in flight.
        """

    @abstractmethod
    def ping(self) -> None:
        """Raise BrokerUnavailable if the broker cannot be reached."""

    def close(self) -> None:  # noqa: B027 - optional: most brokers hold nothing to release
        """Release connections held by this object (optional)."""


def create_broker(url: str, queue_prefix: str = "onepic") -> Broker:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from .memory import MemoryBroker
        return MemoryBroker.named(url)
    if scheme in ("amqp", "amqps"):
        from .amqp import AmqpBroker
        return AmqpBroker(url, queue_prefix=queue_prefix)
    raise ValueError(f"BROKER_URL: unsupported scheme {scheme!r} (use amqp:// or memory://)")
