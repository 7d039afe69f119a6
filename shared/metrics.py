"""Prometheus metrics, declared once per process (standalone shares them across services,
told apart by the `service` label)."""
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

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
OUTBOX_PENDING = Counter(
    "onepic_outbox_relayed_total", "Outbox rows relayed to the broker", ["outcome"])


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
