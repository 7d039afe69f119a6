"""Serves the web page: the HTML shell at `/` (and, for a browser, at the verification
link), its scripts and styles under `/web/`, all with a strict Content-Security-Policy.

The page is one static document; its modules fetch everything else from /v1 with the
session cookie (shared/session.py). The vendored libraries in static/vendor are built by
`make web` (npm ci + build.mjs) and are not in git; a missing one answers 404 and the
browser tier fails on it, loudly."""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from shared import session
from shared.config import Settings
from shared.routing import WEB_PREFIX as PREFIX

STATIC = Path(__file__).resolve().parent / "static"
# What the shell and its modules may load: our own origin only. No inline script or style;
# images also from the public origin (PUBLIC_URL may name another host than the one the
# page was opened on) and blob: (the preview of a file being uploaded).
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: {origin}; "
        "connect-src 'self' {connect}; font-src 'self'; manifest-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def store_origin(blob_url: str) -> str:
    """Where presigned uploads go: the S3 endpoint of BLOB_URL (SeaweedFS, MinIO, …), which
    the page must be allowed to connect to. "" for files (the origin's own form endpoint)
    and for AWS without endpoint_url (set it, or the page falls back to nothing)."""
    if not blob_url.startswith("s3://"):
        return ""
    endpoint = parse_qs(urlsplit(blob_url).query).get("endpoint_url", [""])[0]
    return _origin_of(endpoint)


def security_headers(resp: Response, settings: Settings) -> Response:
    origin = _origin_of(settings.origin)
    connect = " ".join(o for o in (origin, store_origin(settings.blob_url)) if o)
    resp.headers["Content-Security-Policy"] = _CSP.format(origin=origin, connect=connect)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers["X-Frame-Options"] = "DENY"
    return resp


def _static(name: str) -> Response:
    """A file of static/, read whole (the largest is ~150 KB) and revalidated by ETag:
    names are not versioned, so a deploy shows at once. 404 outside static/ or missing."""
    path = safe_join(str(STATIC), name)
    if path is None or not os.path.isfile(path):
        raise NotFound()
    with open(path, "rb") as f:
        resp = Response(f.read(), mimetype=mimetypes.guess_type(path)[0] or "application/octet-stream")
    resp.headers["Cache-Control"] = "no-cache"
    resp.add_etag()
    return resp.make_conditional(request)


def shell(settings: Settings) -> Response:
    """The page itself, for `/` and for a verification link opened in a browser. Gives a
    visitor without one the CSRF cookie its sign-in form sends back."""
    resp = _static("index.html")
    if not request.cookies.get(session.CSRF_COOKIE):
        resp.set_cookie(session.CSRF_COOKIE, session.new_csrf(), httponly=False,
                        **session.cookie_options(settings.origin))
    return security_headers(resp, settings)


def wants_html(req) -> bool:
    """A browser navigating (Accept: text/html first), not a client asking for JSON."""
    accept = req.accept_mimetypes
    return accept["text/html"] > accept["application/json"]


def create_blueprint(settings: Settings) -> Blueprint:
    bp = Blueprint("web", __name__)

    @bp.get("/")
    def index():
        return shell(settings)

    @bp.get(f"{PREFIX}/<path:name>")
    def asset(name: str):
        return security_headers(_static(name), settings)

    return bp
