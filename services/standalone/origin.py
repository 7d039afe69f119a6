"""The public origin of standalone mode: one WSGI app that routes each path to the service
that owns it (shared/routing.py, the table `make up`'s nginx and the Ingress are generated from)
and answers /healthz, /readyz and /metrics for the whole process (shared/ops.py)."""
from __future__ import annotations

from http import HTTPStatus

from werkzeug.test import Client

from shared.errors import ApiError, error_response
from shared.ops import PATHS as OPS_PATHS
from shared.ops import NotReady, Ops
from shared.routing import normalise, service_for


def _respond(start_response, answer: tuple[int, list, bytes]):
    status, headers, body = answer
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


class Origin:
    def __init__(self, apps: dict[str, object]):
        self.apps = apps  # service name -> WSGI app
        self._clients = {name: Client(app) for name, app in apps.items()}
        # One named check per service: its own /readyz, whose failures are reported under it.
        self.ops = Ops("standalone", {name: self._ready(name) for name in apps})

    def _ready(self, name: str):
        def check() -> None:
            r = self._clients[name].get("/readyz")
            if r.status_code != 200:
                raise NotReady((r.get_json(silent=True) or {}).get("failed") or [])
        return check

    def __call__(self, environ, start_response):
        path = normalise(environ.get("PATH_INFO") or "/")
        if path == "/metrics":
            # Render's /metrics writes out the counts it batches (services/render/tally.py)
            # before exposing the registry, which in one process holds every service's.
            return self.apps["render"](environ, start_response)
        if path in OPS_PATHS:
            return self.ops({**environ, "PATH_INFO": path}, start_response)
        service = service_for(environ.get("REQUEST_METHOD", "GET"), path)
        if service is None:
            return _respond(start_response,
                            error_response(ApiError(404, "not_found", "No such resource.")))
        # The app sees the path that was routed, not a raw one with dot segments in it.
        return self.apps[service]({**environ, "PATH_INFO": path}, start_response)
