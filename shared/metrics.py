"""Prometheus metrics, declared once per process (standalone shares them across services,
told apart by the `service` label)."""
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

# The method label takes only these (others count as "other"), so a client sending junk
# methods cannot grow the number of series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


HTTP_REQUESTS = Counter(
    "onepic_http_requests_total", "HTTP requests answered", ["service", "method", "route", "status"])
HTTP_LATENCY = Histogram(
    "onepic_http_request_duration_seconds", "Time to answer an HTTP request", ["service", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_PUBLISHED = Counter(
    "onepic_events_published_total", "Messages published to the broker", ["service", "queue"])
EVENTS_CONSUMED = Counter(
    "onepic_events_consumed_total", "Messages consumed from the broker", ["service", "queue", "outcome"])
RESIZE_SECONDS = Histogram(
    "onepic_resize_duration_seconds", "Time to make the full variant set of one image",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16))
READ_MODEL_LOOKUPS = Counter(
    "onepic_read_model_lookups_total", "Read-model lookups by render", ["result"])  # hit/miss/error
RENDER_CACHE = Counter(
    "onepic_render_cache_total", "Render byte-cache lookups", ["result"])  # hit/miss
QUEUE_WAIT = Histogram(
    "onepic_queue_wait_seconds", "Age of a message when its consumer got it (publish → delivery)",
    ["queue"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800))
DEAD_LETTERS = Counter(
    "onepic_dead_letters_total", "Messages that reached a dead-letter queue (gave up on)", ["queue"])
GC_REMOVED = Counter(
    "onepic_gc_removed_total", "What garbage collection removed",
    ["kind"])  # image (rows), original, variant, orphan (blobs), temp (files)
READ_MODEL_WRITES = Counter(
    "onepic_read_model_writes_total", "Read-model writes after a change, by outcome",
    ["outcome"])  # written, older (the cache had this version or newer), unavailable
READ_MODEL_LAG = Gauge(
    "onepic_read_model_refresh_lag_seconds",
    "Age of the oldest change whose read-model write has not landed yet", multiprocess_mode="max")
OUTBOX_AGE = Gauge(
    "onepic_outbox_age_seconds", "Age of the oldest event waiting in the outbox",
    multiprocess_mode="max")
QUEUE_DEPTH = Gauge(
    "onepic_queue_depth", "Messages ready in a broker queue (dead-letter queues included)",
    ["queue"], multiprocess_mode="max")
OUTBOX_RELAYED = Counter(
    "onepic_outbox_relayed_total", "Outbox rows relayed to the broker", ["outcome"])


def exposition() -> tuple[bytes, str]:
    """The metrics of this service: of every worker process when the server runs several.

    prometheus_client switches to its multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set
    at import (each worker writes its values to files there); the launcher sets it for the
    multi-worker HTTP services, so a scrape that lands on any one worker sees them all."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
