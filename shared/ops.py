"""Readiness in one place, free of Flask so the plain-WSGI and http.server processes (the
resizer's ops server) can use it without importing a web framework."""
from __future__ import annotations

from collections.abc import Callable


def readiness(service: str, checks: dict[str, Callable[[], None]]) -> tuple[int, dict]:
    """Run every dependency check: (200 or 503, the JSON body /readyz answers)."""
    failed = []
    for name, check in checks.items():
        try:
            check()
        except Exception as e:  # noqa: BLE001 - any failure means not ready
            failed.append({"dependency": name, "error": type(e).__name__})
    body = {"status": "unavailable" if failed else "ok", "service": service, "failed": failed}
    return (503 if failed else 200), body
