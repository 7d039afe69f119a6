"""/healthz, /readyz and /metrics: on the public origin in standalone (one process), on each
service's own port in services mode, where the origin (nginx) serves none of them but its own
liveness."""
import time

import pytest
import requests

from . import launch


def test_health_readiness_and_metrics(system, base_url):
    r = requests.get(base_url + "/healthz", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    if system.mode == "standalone":
        ready, metrics = [base_url + "/readyz"], base_url + "/metrics"
    else:
        ready = launch.service_ready_urls(system)
        metrics = f"http://127.0.0.1:{system.env['METADATA_PORT']}/metrics"
    for url in ready:
        r = requests.get(url, timeout=10)
        assert r.status_code == 200 and r.json()["status"] == "ok", (url, r.text)
    r = requests.get(metrics, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert "onepic_http_requests_total" in r.text


def test_internal_api_is_not_public(base_url):
    r = requests.post(base_url + "/internal/auth", json={"token": "x"}, timeout=10,
                      headers={"X-Internal-Token": "onepic-dev-internal-token"})
    assert r.status_code == 404


# Standalone is one process: its origin is its only port, and serves them (the test above).
@pytest.mark.parametrize("system", ["services"], indirect=True)
@pytest.mark.parametrize("path", ["/readyz", "/metrics", "/v1/%2e%2e/metrics"])
def test_operational_endpoints_are_not_public_in_services_mode(system, base_url, path):
    r = requests.get(base_url + path, timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def _render_hits(metrics_url: str) -> float:
    text = requests.get(metrics_url, timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("onepic_http_requests_total{")
               and 'service="render"' in line and 'route="/<username>"' in line)


def test_render_metrics_count_every_request_whichever_worker_served_it(base_url,
                                                                        render_metrics_url):
    before = _render_hits(render_metrics_url)
    for _ in range(20):  # spread over the render workers by the server
        assert requests.get(base_url + "/nobody-here?s=16", timeout=10).status_code == 200
    # Render hands its counts to the shared files once a second (services/render/tally.py),
    # from every worker, busy or idle: exact within that second, never more than 20.
    deadline = time.monotonic() + 3
    while (seen := _render_hits(render_metrics_url) - before) < 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert seen == 20
