"""/healthz, /readyz and /metrics for processes without a web framework (the resizer, the
metadata worker): a ThreadingHTTPServer on a daemon thread."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import metrics
from .ops import readiness


def serve_ops(port: int, checks: dict, host: str = "0.0.0.0",  # noqa: S104 - probes come from outside
              *, service: str,
              alive=None) -> ThreadingHTTPServer:
    """/healthz (alive: `alive()` does not raise), /readyz (backends answer) and /metrics on
    a daemon thread."""

    class Ops(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                status, body = readiness(service, {"consumer": alive} if alive else {})
                self._send(status, "application/json", body)
            elif self.path == "/readyz":
                status, body = readiness(service, checks)
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
    threading.Thread(target=server.serve_forever, name=f"{service}-ops", daemon=True).start()
    return server


