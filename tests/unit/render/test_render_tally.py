"""Render's batched metrics must end up exactly where plain prometheus updates would."""
import random

from prometheus_client import REGISTRY

from services.render.tally import Tally
from shared import metrics
from tests.fakeclock import Clock


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _latency_view(route: str) -> dict:
    bounds = [str(b) if b != float("inf") else "+Inf" for b in metrics.HTTP_LATENCY._upper_bounds]
    fmt = {b: ("+Inf" if b == "+Inf" else repr(float(b))) for b in bounds}
    return {b: _sample("onepic_http_request_duration_seconds_bucket", service="render",
                       route=route, le=fmt[b]) for b in bounds}


def test_flush_matches_direct_observations():
    rng = random.Random(7)
    seconds = [rng.choice([0.0001, 0.0005, 0.0007, 0.003, 0.02, 0.3, 7.0, 99.0])
               for _ in range(500)]
    route_batched, route_direct = "/tally-batched", "/tally-direct"
    clock = Clock(0.0)
    tally = Tally(interval=1.0, clock=clock)
    for s in seconds:
        tally.request("GET", route_batched, 200, s)
        metrics.HTTP_REQUESTS.labels("render", "GET", route_direct, "200").inc()
        metrics.HTTP_LATENCY.labels("render", route_direct).observe(s)
    assert _sample("onepic_http_requests_total", service="render", method="GET",
                   route=route_batched, status="200") == 0   # not flushed yet
    clock.now = 1.0
    tally.request("GET", route_batched, 200, seconds[0])      # the interval passed: flush
    metrics.HTTP_LATENCY.labels("render", route_direct).observe(seconds[0])
    metrics.HTTP_REQUESTS.labels("render", "GET", route_direct, "200").inc()

    for name, labels in [("onepic_http_requests_total", {"method": "GET", "status": "200"}),
                         ("onepic_http_request_duration_seconds_sum", {}),
                         ("onepic_http_request_duration_seconds_count", {})]:
        assert _sample(name, service="render", route=route_batched, **labels) == \
            _sample(name, service="render", route=route_direct, **labels) > 0
    view = _latency_view(route_batched)
    assert view["+Inf"] == len(seconds) + 1 and view == _latency_view(route_direct)


def test_cache_results_are_flushed():
    before = _sample("onepic_render_cache_total", result="hit")
    tally = Tally()
    for _ in range(3):
        tally.cache("hit")
    tally.flush()
    assert _sample("onepic_render_cache_total", result="hit") == before + 3


def test_an_idle_tally_is_flushed_by_its_background_thread():
    import time

    tally = Tally(interval=0.05)
    tally.start_background_flush()
    before = _sample("onepic_http_requests_total", service="render", method="GET",
                     route="/tally-idle", status="200")
    tally.request("GET", "/tally-idle", 200, 0.001)     # and then no more requests
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and _sample(
            "onepic_http_requests_total", service="render", method="GET",
            route="/tally-idle", status="200") == before:
        time.sleep(0.02)
    assert _sample("onepic_http_requests_total", service="render", method="GET",
                   route="/tally-idle", status="200") == before + 1
