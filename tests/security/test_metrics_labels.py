"""Finding 7: metadata and upload labelled request metrics by the raw HTTP method, so a
client sending made-up methods grew the number of series without bound."""
import uuid

from flask import Flask

from shared import metrics, web


def test_made_up_methods_share_one_label():
    service = "sec" + uuid.uuid4().hex[:8]
    app = Flask(__name__)
    web.install(app, service, checks={})
    client = app.test_client()
    junk = [f"X{uuid.uuid4().hex[:6].upper()}" for _ in range(5)]
    for method in junk:
        client.open("/healthz", method=method)
    text = metrics.exposition()[0].decode()
    lines = [line for line in text.splitlines() if f'service="{service}"' in line
             and line.startswith("onepic_http_requests_total")]
    assert lines, text[:500]
    assert not any(m in text for m in junk)
    assert any('method="other"' in line for line in lines)
