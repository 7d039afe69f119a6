"""The public origin of standalone mode: one WSGI app that routes each path to the service
that owns it (shared/routing.py, the same table the gateway and Ingress follow) and answers
/healthz, /readyz and /metrics for the whole process."""
from __future__ import annotations

import json

from werkzeug.test import Client

from shared.routing import normalise, service_for

OPS = ("/healthz", "/readyz", "/metrics")


def _respond(start_response, status: str, body: bytes, ctype: str = "application/json"):
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


class Origin:
    def __init__(self, apps: dict[str, object]):
        self.apps = apps  # service name -> WSGI app
        self._clients = {name: Client(app) for name, app in apps.items()}

    def readiness(self) -> tuple[bool, list]:
        failed = []
        for name, client in self._clients.items():
            r = client.get("/readyz")
            if r.status_code != 200:
                for f in (r.get_json(silent=True) or {}).get("failed", []) or [{}]:
                    failed.append({"service": name, **f})
        return not failed, failed

    def __call__(self, environ, start_response):
        path = normalise(environ.get("PATH_INFO") or "/")
        if path in OPS:
            if path == "/healthz":
                return _respond(start_response, "200 OK", b'{"status":"ok","service":"standalone"}')
            if path == "/metrics":
                # Render's /metrics writes out the counts it batches (services/render/tally.py)
                # before exposing the registry, which in one process holds every service's.
                return self.apps["render"](environ, start_response)
            ok, failed = self.readiness()
            body = json.dumps({"status": "ok" if ok else "unavailable", "failed": failed}).encode()
            return _respond(start_response, "200 OK" if ok else "503 Service Unavailable", body)
        service = service_for(environ.get("REQUEST_METHOD", "GET"), path)
        if service is None:
            body = b'{"error":{"code":"not_found","message":"No such resource."}}'
            return _respond(start_response, "404 Not Found", body)
        # The app sees the path that was routed, not a raw one with dot segments in it.
        return self.apps[service]({**environ, "PATH_INFO": path}, start_response)
