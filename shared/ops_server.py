"""/healthz, /readyz and /metrics for processes without a web framework (the resizer, the
metadata worker): shared/ops.py's responder on a threading WSGI server, on a daemon thread."""
from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .ops import Check, Ops


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):  # probes every few seconds would flood the log
        pass


def serve_ops(port: int, checks: dict[str, Check],
              host: str = "0.0.0.0",  # noqa: S104 - probes come from outside
              *, service: str, alive: Check | None = None) -> WSGIServer:
    """/healthz (alive: `alive()` does not raise), /readyz (backends answer) and /metrics on
    a daemon thread; `shutdown()` the result to stop."""
    server = make_server(host, port, Ops(service, checks, alive=alive),
                         server_class=_ThreadingServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name=f"{service}-ops", daemon=True).start()
    return server
