"""Which service answers a public request: one table for the standalone dispatcher, the
local gateway (`make up`) and, in spirit, the Kubernetes Ingress.

/internal/… is never routed publicly.
"""
from __future__ import annotations

UPLOAD, METADATA, RENDER = "upload", "metadata", "render"


def service_for(method: str, path: str) -> str | None:
    """The service for a public request, or None when it must not be routed (internal)."""
    if path == "/internal" or path.startswith("/internal/"):
        return None
    if path == "/v1/photos" and method == "POST":
        return UPLOAD
    if path == "/v1" or path.startswith("/v1/"):
        return METADATA
    return RENDER
