"""The operations endpoints of every service — /healthz, /readyz with named checks and
/metrics — as one plain-WSGI responder, free of Flask so render (plain WSGI) and the
framework-free processes (shared/ops_server.py) use it directly; shared/web.py wraps it for
the Flask apps.

A check is a named callable that raises when its dependency is not ready. /readyz runs every
one and answers 200, or 503 listing the failed ones by name."""
from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from . import metrics
from .errors import JSON, ApiError, error_response, json_bytes

Check = Callable[[], None]
PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class NotReady(Exception):
    """Raised by a check that aggregates others (standalone's per-service checks): `failed`
    is their own list of failures, reported under the check's name."""

    def __init__(self, failed: list[dict]):
        super().__init__(f"{len(failed)} failed")
        self.failed = failed


def readiness(service: str, checks: dict[str, Check],
              degraded: dict[str, Check] | None = None) -> tuple[int, dict]:
    """Run every dependency check: (200 or 503, the JSON body /readyz answers).

    `checks` are what the service cannot work without: one failing → 503. `degraded` are
    what it works around (render and metadata without Redis, design guarantee 3): listed
    under "degraded" when they fail, never a 503 — taking every replica out of the load
    balancer for a backend they can all do without would turn a slowdown into an outage."""
    failed, slow = _run(checks), _run(degraded or {})
    body = {"status": "unavailable" if failed else ("degraded" if slow else "ok"),
            "service": service, "failed": failed}
    if degraded is not None:
        body["degraded"] = slow
    return (503 if failed else 200), body


def _run(checks: dict[str, Check]) -> list[dict]:
    failed = []
    for name, check in checks.items():
        try:
            check()
        except NotReady as e:
            failed.append({"dependency": name, "error": "NotReady", "failed": e.failed})
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            failed.append({"dependency": name, "error": type(e).__name__})
    return failed


class Ops:
    """/healthz, /readyz and /metrics of one service, as (status, headers, body) or as a WSGI
    app. `alive`, when given, is what /healthz checks (a worker's consume loop);
    `before_metrics` runs first on /metrics (render writes out its batched counts)."""

    def __init__(self, service: str, checks: dict[str, Check], *,
                 degraded: dict[str, Check] | None = None, alive: Check | None = None,
                 before_metrics: Callable[[], None] | None = None):
        self.service, self.checks, self.degraded = service, checks, degraded
        self.alive, self.before_metrics = alive, before_metrics

    def answer(self, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
        if path == "/healthz":
            if self.alive is not None:
                return _json(*readiness(self.service, {"consumer": self.alive}))
            return _json(200, {"status": "ok", "service": self.service})
        if path == "/readyz":
            return _json(*readiness(self.service, self.checks, self.degraded))
        if path == "/metrics":
            if self.before_metrics is not None:
                self.before_metrics()
            data, ctype = metrics.exposition()
            return 200, [("Content-Type", ctype), ("Content-Length", str(len(data)))], data
        return error_response(ApiError(404, "not_found", "No such endpoint."))

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if method not in {"GET", "HEAD"}:
            status, headers, body = error_response(ApiError(
                405, "method_not_allowed", f"{method} is not allowed here.",
                [("Allow", "GET, HEAD")]))
        else:
            status, headers, body = self.answer(environ.get("PATH_INFO") or "/")
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [] if method == "HEAD" else [body]


def _json(status: int, obj) -> tuple[int, list[tuple[str, str]], bytes]:
    body = json_bytes(obj)
    return status, [("Content-Type", JSON), ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store")], body
