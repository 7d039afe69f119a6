"""`python -m services.resizer`: the resizer worker process.

Checks its backends before consuming (fail fast, naming the setting, never the credentials),
finishes the message in flight on SIGTERM/SIGINT, and serves /healthz, /readyz and /metrics
on RESIZER_METRICS_PORT (0 disables).

Run it with MALLOC_ARENA_MAX=2 (see worker.py); the launcher sets it.
"""
from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from shared import metrics
from shared.blobstore import create_blob_store
from shared.broker import create_broker
from shared.config import Settings
from shared.ops import readiness
from shared.server import configure_logging

from .worker import run

log = logging.getLogger("services.resizer")


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    safe = settings.redacted()
    try:
        blobs = create_blob_store(settings.blob_url)
        blobs.ping()
    except Exception as e:  # noqa: BLE001 - any failure here is a start-up error
        # The exception text may quote the URL with its credentials: print its type only.
        log.error("BLOB_URL %s is not usable (%s); exiting", safe["blob_url"], type(e).__name__)
        return 2
    try:
        broker = create_broker(settings.broker_url, queue_prefix=settings.queue_prefix)
        broker.ping()
    except Exception as e:  # noqa: BLE001 - any failure means "not usable"
        log.error("BROKER_URL %s is not usable (%s); exiting", safe["broker_url"], type(e).__name__)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = None
    if settings.resizer_metrics_port:
        server = serve_ops(settings.resizer_metrics_port, {"blobstore": blobs.ping, "broker": broker.ping})
    log.info("resizer consuming; settings %s", safe)
    try:
        run(settings, stop, blobs=blobs, broker=broker)
    finally:
        if server:
            server.shutdown()
        broker.close()
    log.info("resizer stopped")
    return 0


def serve_ops(port: int, checks: dict,
              host: str = "0.0.0.0") -> ThreadingHTTPServer:  # noqa: S104 - probes come from outside
    """/healthz (alive), /readyz (backends answer) and /metrics on a daemon thread."""

    class Ops(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                self._send(200, "application/json", {"status": "ok", "service": "resizer"})
            elif self.path == "/readyz":
                status, body = readiness("resizer", checks)
                self._send(status, "application/json", body)
            elif self.path == "/metrics":
                data, ctype = metrics.exposition()
                self._send(200, ctype, data)
            else:
                self._send(404, "application/json",
                           {"error": {"code": "not_found", "message": "No such endpoint."}})

        def _send(self, status: int, ctype: str, body):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # probes every few seconds would flood the log
            pass

    server = ThreadingHTTPServer((host, port), Ops)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="resizer-ops", daemon=True).start()
    return server


if __name__ == "__main__":
    sys.exit(main())
