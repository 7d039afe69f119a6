"""start_background: the relay and the results consumer as threads, end to end through the
memory broker with a stand-in resizer."""
import threading
import time

from services.metadata.worker import start_background
from shared.broker import RESIZE_REQUESTS
from shared.broker.memory import MemoryBroker
from tests.metadata_api import stand_in_resizer


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_upload_to_ready_through_the_background_threads(api, client, settings, cache, read_model):
    broker = MemoryBroker(poll_interval=0.02)
    stop = threading.Event()
    threads = start_background(settings, stop, cache=cache, broker=broker)

    resizer = threading.Thread(target=broker.consume,
                               args=(RESIZE_REQUESTS, stand_in_resizer(broker), stop))
    resizer.start()
    try:
        user = api.signup("arpit")
        photo = api.record(user["id"], b"one", activate=True).get_json()
        assert photo["status"] == "processing"
        h = api.auth(user["token"])
        assert wait_for(lambda: client.get(f"/v1/photos/{photo['id']}", headers=h)
                        .get_json()["status"] == "ready")
        # The read model is rewritten just after the variants commit, so it may trail the
        # status by a moment: wait for it rather than race it.
        assert wait_for(lambda: read_model.get("user", "arpit")["photo"]["variants"]
                        .get("large") == ["jpeg", "webp"])
    finally:
        stop.set()
        for t in [*threads, resizer]:
            t.join(timeout=5)
    assert not any(t.is_alive() for t in [*threads, resizer])
