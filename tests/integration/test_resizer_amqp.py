"""The resizer as its own process against real RabbitMQ: a request in, variants and a result
out, and a clean stop on SIGTERM."""
import hashlib
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from shared.blobstore import original_key, variant_key
from shared.blobstore.file import FileBlobStore
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS
from shared.broker.amqp import AmqpBroker
from shared.images import VARIANTS, variant_formats
from tests import imagefactory as f

ROOT = Path(__file__).resolve().parents[2]


def test_resizer_process_end_to_end(tmp_path, amqp_url):
    prefix = f"test-resizer-{uuid.uuid4().hex[:8]}"
    broker = AmqpBroker(amqp_url, queue_prefix=prefix)
    blobs = FileBlobStore(tmp_path / "blobs")
    data = f.solid_jpeg(1200, 800, (90, 20, 160))
    sha = hashlib.sha256(data).hexdigest()
    blobs.put(original_key(sha), data)
    broker.publish(RESIZE_REQUESTS, {"sha256": sha, "format": "jpeg"})

    env = {**os.environ, "BLOB_URL": f"file://{tmp_path}/blobs", "BROKER_URL": amqp_url,
           "QUEUE_PREFIX": prefix, "RESIZER_METRICS_PORT": "0", "MALLOC_ARENA_MAX": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "services.resizer"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        got, stop = [], threading.Event()
        timer = threading.Timer(30, stop.set)
        timer.start()
        broker.consume(RESIZE_RESULTS, lambda m: (got.append(m), stop.set()), stop)
        timer.cancel()
        assert [m["sha256"] for m in got] == [sha]
        assert {(v["name"], v["fmt"]) for v in got[0]["variants"]} == {
            (n, fmt) for n, side in VARIANTS.items() for fmt in variant_formats(False, side)}
        large = f.decode(blobs.get(variant_key(sha, "large", "jpeg")))
        assert (large.width, large.height) == (1024, 683)
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, output
    finally:
        if proc.poll() is None:
            proc.kill()
        for queue in (RESIZE_REQUESTS, RESIZE_RESULTS):
            broker.delete_queue(queue)
        broker.close()
