"""Durable messages between services: resize requests and their results.

Messages are JSON objects. `publish` returns only once the broker has taken responsibility
for the message (publisher confirms on RabbitMQ). `consume` hands each message to a handler
and acknowledges it only after the handler returns, so a crash means redelivery; handlers are
idempotent. One module per backend (`memory`, `amqp`); nothing outside them imports pika.

Poison messages end: every work queue has a delivery limit. A message handed out
DELIVERY_LIMIT + 1 times without being acknowledged (its handler raised, or its consumer
died mid-message) moves to the queue's dead-letter queue, `dead_letter(queue)`, where the
metadata worker records the image as failed. A handler that cannot work *for now* (a backend
is down) raises RetryLater instead: the consumer keeps the message and tries again after a
backoff, so an outage never spends the attempts of innocent messages.
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


# Deliveries a message may fail before it is dead-lettered. A constant, not a setting: queue
# arguments must be identical wherever a queue is declared (RabbitMQ refuses a redeclaration
# with other arguments), so every process takes them from this one line.
DELIVERY_LIMIT = 3


def dead_letter(queue: str) -> str:
    """The logical name of `queue`'s dead-letter queue."""
    return f"{queue}.dead"


def is_dead_letter(queue: str) -> bool:
    return queue.endswith(".dead")


class BrokerUnavailable(RuntimeError):
    """The broker could not be reached or did not confirm the message."""


class RetryLater(Exception):
    """Raised by a handler that cannot finish now for reasons outside the message (a backend
    is down). The consumer retries the same message after a capped backoff without counting
    it against the delivery limit."""


class Broker(ABC):
    @abstractmethod
    def publish(self, queue: str, message: dict) -> None:
        """Send a persistent message; raise BrokerUnavailable unless it was confirmed."""

    @abstractmethod
    def consume(self, queue: str, handler: Handler, stop: threading.Event,
                beat: Callable[[], None] | None = None) -> None:
        """Deliver messages to `handler` until `stop` is set, reconnecting on connection loss.

        A handler that returns → ack. RetryLater → the same message again after a backoff.
        Any other exception → the message is requeued (after a short delay) and counts as a
        failed delivery; past DELIVERY_LIMIT it goes to `dead_letter(queue)`.
        `beat`, when given, is called at least every second while the consumer makes
        progress (idle polling, or a handler within its time), for liveness probes.
        Blocks; run it in its own thread or process. Returns soon after `stop` is set,
        having finished the message in flight.
        """

    @abstractmethod
    def ping(self) -> None:
        """Raise BrokerUnavailable if the broker cannot be reached."""

    def depth(self, queue: str) -> int | None:
        """Messages ready in `queue` (None when unknown); for metrics and tests."""
        return None

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
