"""What every OnePic Flask app shares: JSON errors, /healthz, /readyz, /metrics and request
metrics. `install(app, service, checks)` wires them in.

A backend that is down (blob store, metadata's internal API, cache) answers 503
{"error": {"code": "unavailable"}} with Retry-After, wherever in a view it surfaces: the
client should try again, not report a bug."""
from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from . import metrics
from .blobstore import BlobStoreUnavailable
from .cache import CacheUnavailable
from .errors import ApiError, error_document
from .internal import MetadataUnavailable
from .ops import PATHS as OPS_PATHS
from .ops import Check, Ops
from .ratelimit import Limiter, RateLimited
from .routing import ALSO_ALLOWED

log = logging.getLogger(__name__)

# What the client is told is unavailable, by exception; the detail goes to the log only.
_UNAVAILABLE = {BlobStoreUnavailable: "Image storage", MetadataUnavailable: "The photo database",
                CacheUnavailable: "The cache"}
RETRY_AFTER = "5"  # seconds: long enough for a restart or failover, short enough to retry

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "unprocessable_entity",
               429: "too_many_requests", 503: "unavailable"}


def bearer_token(req) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive)."""
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def rate_limit(limiter: Limiter, *hits: tuple[str, str]) -> None:
    """Count this request against (rule, key) pairs: 429 past a limit, else the RateLimit
    fields of the tightest limit go on the answer (after_request in install)."""
    g._onepic_ratelimit = limiter.check(*hits).headers


def error_response(status: int, code: str, message: str,
                   headers: list[tuple[str, str]] | tuple = ()) -> Response:
    resp = jsonify(error_document(code, message))
    resp.status_code = status
    for name, value in headers:
        resp.headers[name] = value
    return resp


def install(app: Flask, service: str, checks: dict[str, Check],
            degraded: dict[str, Check] | None = None,
            unavailable: dict[type, str] | None = None) -> None:
    """Add error handlers, operations endpoints and request metrics to `app`.

    `checks` maps a dependency the service cannot work without to a callable that raises
    when it is not ready; `degraded`, the ones it works around (reported, never a 503).
    `unavailable` adds exception types of the service's own backends (metadata: the
    database's) to answer 503 + Retry-After, with what to call them."""
    kinds = {**_UNAVAILABLE, **(unavailable or {})}

    @app.errorhandler(ApiError)
    def _api_error(e: ApiError):
        return error_response(e.status, e.code, e.message, e.headers)

    @app.errorhandler(RateLimited)
    def _rate_limited(e: RateLimited):
        return error_response(429, "too_many_requests",
                              f"Too many requests; try again in {e.retry_after} seconds.",
                              e.headers)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        code = _HTTP_CODES.get(e.code or 500, "error")
        headers = []
        if isinstance(e, MethodNotAllowed) and e.valid_methods:
            # RFC 9110 §15.5.6: a 405 says which methods the resource has.
            headers.append(("Allow", ", ".join(e.valid_methods)))
        return error_response(e.code or 500, code, e.description or code, headers)

    def _unavailable(e: Exception):
        # These messages name hosts and operations, never credentials (see each backend).
        # A database error's text carries its SQL and parameters (tokens' hashes, …): only
        # the driver's first line (what failed to connect or timed out) is logged.
        detail = str(getattr(e, "orig", None) or e).strip().splitlines()
        log.warning("%s %s: %s: %s", request.method, request.path, type(e).__name__,
                    detail[0] if detail else "")
        what = next(v for k, v in kinds.items() if isinstance(e, k))
        return error_response(503, "unavailable", f"{what} is unavailable; try again shortly.",
                              [("Retry-After", RETRY_AFTER)])

    for exc in kinds:
        app.register_error_handler(exc, _unavailable)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        # Flask calls error handlers inside its except block, so the traceback is there.
        log.exception("unhandled error on %s %s", request.method, request.path)  # noqa: LOG004
        return error_response(500, "internal_error", "Something went wrong on our side.")

    ops = Ops(service, checks, degraded=degraded)

    def _ops_endpoint():
        status, headers, body = ops.answer(request.path)
        return Response(body, status=status, headers=headers)

    for path in sorted(OPS_PATHS):
        app.add_url_rule(path, f"ops{path.replace('/', '_')}", _ops_endpoint, methods=["GET"])

    @app.before_request
    def _start_timer():
        g._onepic_t0 = time.perf_counter()

    @app.after_request
    def _record(resp: Response):
        for name, value in g.get("_onepic_ratelimit", ()):
            resp.headers.setdefault(name, value)
        also = ALSO_ALLOWED.get(request.path)
        if also and "Allow" in resp.headers:  # a 405, or Flask's answer to OPTIONS
            methods = [m.strip() for m in resp.headers["Allow"].split(",")]
            resp.headers["Allow"] = ", ".join(methods + [m for m in also if m not in methods])
        route = request.url_rule.rule if request.url_rule else "unmatched"
        t0 = g.get("_onepic_t0")
        if t0 is not None:
            metrics.HTTP_LATENCY.labels(service, route).observe(time.perf_counter() - t0)
        metrics.HTTP_REQUESTS.labels(service, metrics.method_label(request.method), route,
                                     str(resp.status_code)).inc()
        return resp
