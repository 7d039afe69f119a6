"""/healthz, /readyz and /metrics on the public origin."""
import requests


def test_health_readiness_and_metrics(base_url):
    r = requests.get(base_url + "/healthz", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok"
    r = requests.get(base_url + "/readyz", timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "ok", r.text
    r = requests.get(base_url + "/metrics", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    assert "onepic_http_requests_total" in r.text


def test_internal_api_is_not_public(base_url):
    r = requests.post(base_url + "/internal/auth", json={"token": "x"}, timeout=10,
                      headers={"X-Internal-Token": "onepic-dev-internal-token"})
    assert r.status_code == 404

