"""Standalone re-asks for variants at start-up: every image without any gets one request."""
import json

import sqlalchemy as sa

from services.metadata.db.schema import outbox
from services.metadata.relay.outbox import OutboxRelay
from services.metadata.relay.reconcile import requeue_unfinished
from services.metadata.relay.results import ResultsConsumer
from shared.broker import RESIZE_REQUESTS
from shared.broker.memory import MemoryBroker
from shared.images import VARIANTS


def _pending(engine):
    with engine.connect() as conn:
        return [json.loads(r.payload)["sha256"]
                for r in conn.execute(sa.select(outbox.c.payload).order_by(outbox.c.id))]


def test_requeues_only_images_without_variants(api, engine, read_model):
    user = api.signup("arpit")
    done = api.record(user["id"], b"done").get_json()
    lost = api.record(user["id"], b"lost").get_json()
    broker = MemoryBroker()
    OutboxRelay(engine, broker).relay_once()      # both requests relayed, then "lost"
    assert _pending(engine) == []
    ResultsConsumer(engine).handle({
        "sha256": done["sha256"],
        "variants": [{"name": n, "fmt": "jpeg", "width": w, "height": w, "bytes": 1}
                     for n, w in VARIANTS.items()]})

    assert requeue_unfinished(engine) == 1
    assert _pending(engine) == [lost["sha256"]]
    OutboxRelay(engine, broker).relay_once()
    assert broker.pending(RESIZE_REQUESTS) == 3   # two from uploads, one re-asked
