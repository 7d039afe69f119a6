"""Readiness in one place, free of Flask so the plain-WSGI and http.server processes (the
resizer's ops server) can use it without importing a web framework."""
from __future__ import annotations

from collections.abc import Callable


def readiness(service: str, checks: dict[str, Callable[[], None]],
              degraded: dict[str, Callable[[], None]] | None = None) -> tuple[int, dict]:
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


def _run(checks: dict[str, Callable[[], None]]) -> list[dict]:
    failed = []
    for name, check in checks.items():
        try:
            check()
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            failed.append({"dependency": name, "error": type(e).__name__})
    return failed
