"""The render service: the public read path as a plain WSGI callable.

Not Flask, because the warm path must stay a handful of string operations: route by prefix,
parse → micro-cache lookup → LRU hit → headers. Served by granian
(`granian --interface wsgi --factory services.render.app:create_app`, see
deploy/local/plan.py and docs/decisions/0003-render-on-granian.md).
"""
from __future__ import annotations

import logging
import re
import time

from shared import metrics
from shared.blobstore import BlobStore, BlobStoreUnavailable
from shared.cache import Cache
from shared.clientaddr import client_address
from shared.config import Settings
from shared.errors import ApiError, error_document, json_bytes
from shared.images import CONTENT_TYPES, ImageRejected
from shared.internal import MetadataClient, MetadataUnavailable
from shared.ops import PATHS as OPS_PATHS
from shared.ops import Ops
from shared.ratelimit import Limiter, RateLimited
from shared.readmodel import PhotoView
from shared.server import configure_logging

from . import fallback, params, pipeline
from .bytecache import ByteCache, Rendered
from .http import COMMON, STATUS, error, etag_for, none_match
from .resolve import Cached, Resolver
from .tally import Tally
from .views import NoViews, ViewCounter

log = logging.getLogger(__name__)

SERVICE = "render"
IMMUTABLE = "public, max-age=31536000, immutable"
USERNAME = re.compile(r"[a-z0-9_-]{3,32}\Z")   # what sign-up accepts: others cannot exist
EMAIL_HASH = re.compile(r"(?:[0-9a-f]{32}|[0-9a-f]{64})\Z")
PHOTO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
R_USER, R_AVATAR, R_PHOTO = "/<username>", "/avatar/<hash>", "/i/<photo_id>"
UNMATCHED = "unmatched"
# Box plans kept per micro-cache entry: the sizes one picture is asked at within its
# lifetime (≤ 1 s); past it they are dropped and planned again.
PLAN_MEMO_SIZE = 64


class RenderApp:
    def __init__(self, settings: Settings, cache: Cache, blobs: BlobStore,
                 metadata: MetadataClient):
        self.settings = settings
        self.cache, self.blobs = cache, blobs
        self.resolver = Resolver(cache, metadata, settings.micro_cache_seconds)
        self.resolver.listen()
        self.bytes = ByteCache(settings.render_cache_bytes)
        self.pipeline = pipeline.Pipeline(blobs, settings.render_concurrency, fallback.generate)
        self.limiter = Limiter.from_settings(settings)
        self.avatar_cache_control = f"public, max-age={settings.avatar_max_age}"
        # d=404 is cached like a picture (a CDN keeps it as long as a hit), so it carries the
        # same headers; its ETag never changes because its bytes never do.
        body = json_bytes(error_document("not_found", "No picture for this avatar."))
        self._not_found = (body, [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body))),
            ("ETag", etag_for("avatar-404/" + body.decode())),
            ("Cache-Control", self.avatar_cache_control), *COMMON])
        self.tally = Tally()
        self.tally.start_background_flush()
        # /metrics writes out this worker's counts first; other workers' are ≤ 1 s old.
        # Render serves without Redis (from metadata, slower) and without the blob store
        # (from its byte cache) — guarantee 3: neither makes it unready; they show as
        # degraded. Its own process answering is what readiness means here. The pings are
        # looked up at each probe, not bound now: a test swaps a backend's.
        self.ops = Ops(SERVICE, {}, degraded={
            "cache": lambda: self.cache.ping(),  # noqa: PLW0108
            "blobstore": lambda: self.blobs.ping()},  # noqa: PLW0108
            before_metrics=self.tally.flush)
        if settings.view_counts == "on":
            self.views = ViewCounter(cache)
            self.views.start()
        else:
            self.views = NoViews()

    # -- WSGI --------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        t0 = time.perf_counter()
        method = environ["REQUEST_METHOD"]
        route, segment = _route(environ.get("PATH_INFO") or "/")
        try:
            status, headers, body = self._dispatch(method, route, segment, environ)
        except ApiError as e:
            status, headers, body = error(e)
        except Exception:
            log.exception("render failed: %s %s", method, environ.get("PATH_INFO"))
            status, headers, body = error(
                ApiError(500, "internal_error", "Something went wrong on our side."))
        self.tally.request(metrics.method_label(method), route, status,
                           time.perf_counter() - t0)
        start_response(STATUS[status], headers)
        return [] if method == "HEAD" else [body]

    def _dispatch(self, method: str, route: str, segment: str, environ):
        if route == UNMATCHED:
            raise ApiError(404, "not_found", "No such page.")
        if method not in {"GET", "HEAD"}:
            raise ApiError(405, "method_not_allowed", f"{method} is not allowed here.",
                           [("Allow", "GET, HEAD")])
        if route == R_PHOTO:
            return self._photo(segment, environ)
        if route in {R_USER, R_AVATAR}:
            return self._avatar(route, segment, environ)
        return self._ops(route)

    # -- image routes --------------------------------------------------------------------
    @staticmethod
    def _plan_box(cached: Cached, view: PhotoView, width, height, fit: str,
                  fmt: str) -> pipeline.Job:
        """pipeline.plan_box, remembered on the micro-cache entry `view` came from.

        The micro-cache hands out the same entry until it refreshes, so choosing the source
        variant (a quarter of a warm request's time) is done once per entry and box, not once
        per request; the plans go when the entry does."""
        plans = cached.plans
        key = (width, height, fit, fmt)
        job = plans.get(key)
        if job is None:
            job = pipeline.plan_box(view, width, height, fit, fmt)
            if len(plans) >= PLAN_MEMO_SIZE:
                plans.clear()  # a flood of sizes on one entry; a rebuild is cheap
            plans[key] = job
        return job

    def _avatar(self, route: str, segment: str, environ):
        split = params.split_extension(segment)
        if split is None:
            raise ApiError(404, "not_found", "Pictures are served as .jpg, .png or .webp.")
        name, ext_fmt = split
        p = params.avatar_params(params.query(environ.get("QUERY_STRING", "")))
        name = name.lower()
        if route == R_USER:
            kind, valid = "user", USERNAME.match(name)
        else:
            kind, valid = "email", EMAIL_HASH.match(name)
        # A forced default needs no entry, except for the account's name in initials.
        wanted = not p.force_default or (p.default == "initials" and kind == "email")
        cached = self._lookup(kind, name) if valid and wanted else None
        entry = cached.entry if cached is not None else None
        photo = fallback.shown_photo(entry, p)
        accept = environ.get("HTTP_ACCEPT", "")
        if photo is not None:
            fmt, vary = params.negotiate(ext_fmt, accept, bool(photo.get("alpha")))
            job = self._plan_box(cached, photo, p.size, p.size, "square", fmt)
            try:
                shown = self._image(environ, job, self.avatar_cache_control, vary)
            except (pipeline.SourceMissing, ImageRejected):
                # A picture we cannot produce must not become a broken image.
                log.warning("avatar %s/%s: source unusable, serving the default", kind, name)
            else:
                if environ["REQUEST_METHOD"] == "GET":  # a HEAD shows nothing
                    self.views.view(photo["id"])
                return shown
        default = p.default
        if default == params.NOT_FOUND:
            body, headers = self._not_found
            return 404, list(headers), body
        if default == params.REDIRECT:
            return 302, [("Location", p.redirect), ("Content-Length", "0"),
                         ("Cache-Control", self.avatar_cache_control), *COMMON], b""
        fmt, vary = params.negotiate(ext_fmt, accept, fallback.has_alpha(default))
        email_hash = name if kind == "email" and valid else None
        text = ""
        if default == "initials":
            text = fallback.initials(p, entry, name if kind == "user" else None)
        job = pipeline.plan_default(default, p.size, fmt,
                                    fallback.seed(default, email_hash, name), text)
        return self._image(environ, job, self.avatar_cache_control, vary)

    def _photo(self, segment: str, environ):
        split = params.split_extension(segment)
        if split is None:
            raise ApiError(404, "not_found", "Pictures are served as .jpg, .png or .webp.")
        photo_id, ext_fmt = split
        p = params.photo_params(params.query(environ.get("QUERY_STRING", "")))
        cached = self._lookup("photo", photo_id) if PHOTO_ID.match(photo_id) else None
        view = cached.entry if cached is not None else None
        if view is None:
            raise ApiError(404, "not_found", "No such photo.")
        if fallback.expired(view):
            raise ApiError(410, "photo_expired", "This photo has expired.")
        fmt, vary = params.negotiate(ext_fmt, environ.get("HTTP_ACCEPT", ""),
                                     bool(view.get("alpha")))
        if p.named is not None:
            job = pipeline.plan_named(view, p.named, fmt)
        else:
            job = self._plan_box(cached, view, p.width, p.height, p.fit, fmt)
        cache_control = IMMUTABLE if p.explicit else self.avatar_cache_control
        try:
            shown = self._image(environ, job, cache_control, vary)
        except (pipeline.SourceMissing, ImageRejected):
            log.warning("photo %s: source unusable", photo_id)
            raise ApiError(404, "not_found", "This photo's image is not available.") from None
        if environ["REQUEST_METHOD"] == "GET":  # 200 and 304 alike; a HEAD shows nothing
            self.views.view(photo_id)
        return shown

    def _lookup(self, kind: str, name: str) -> Cached:
        try:
            return self.resolver.lookup_cached(kind, name)
        except MetadataUnavailable:
            raise ApiError(503, "unavailable", "Pictures cannot be looked up right now.",
                           [("Retry-After", "1")]) from None

    def _image(self, environ, job: pipeline.Job, cache_control: str, vary: bool):
        key = job.key
        item = self.bytes.get(key)
        if item is not None:
            self.tally.cache("hit")
            etag = item.etag
        else:
            self.tally.cache("miss")
            etag = etag_for(key)
        headers = [("ETag", etag), ("Cache-Control", cache_control), *COMMON]
        if vary:
            headers.append(("Vary", "Accept"))
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and none_match(inm, etag):
            return 304, headers, b""
        if item is None:
            self._admit(job, environ)
            item = self._produce(job)
            headers[0] = ("ETag", item.etag)
        headers.append(("Content-Type", item.content_type))
        headers.append(("Content-Length", item.length))
        return 200, headers, item.body

    def _admit(self, job: pipeline.Job, environ) -> None:
        """Count an on-the-fly rendering against its client and its photo (429 past either).

        Only work that is not in the byte cache gets here, and stored variants served as
        they are cost no CPU, so known avatars at their usual sizes are never limited; a
        flood of sizes from one client, or on one photo, is."""
        if job.op == "variant":
            return
        hits = [("renders", client_address(environ, self.settings.trusted_proxies))]
        if job.op != "default":
            hits.append(("renders_photo", job.sha256))
        try:
            self.limiter.check(*hits, report=False)  # render sends no RateLimit fields on a pass
        except RateLimited as e:
            raise ApiError(429, "too_many_requests",
                           "Too many new sizes drawn; use a size already served, or retry "
                           "later.", e.headers) from None

    def _produce(self, job: pipeline.Job) -> Rendered:
        try:
            done, body = self.pipeline.produce(job)
        except pipeline.Busy:
            raise ApiError(503, "busy", "Too many pictures are being drawn; retry shortly.",
                           [("Retry-After", "1")]) from None
        except BlobStoreUnavailable:
            raise ApiError(503, "unavailable", "Image storage is unavailable right now.",
                           [("Retry-After", "1")]) from None
        item = Rendered(body, CONTENT_TYPES[done.fmt], etag_for(done.key), str(len(body)))
        self.bytes.put(done.key, item)
        if done.key != job.key:
            # The planned source was missing and another was used: remember the result under
            # the planned key too, or every request would retry the missing blob and render
            # again (and never match its own ETag).
            self.bytes.put(job.key, item)
        return item

    # -- operations ----------------------------------------------------------------------
    def _ops(self, route: str):
        return self.ops.answer(route)


def _route(path: str) -> tuple[str, str]:
    """(route template, the one path segment it names); a few string operations."""
    if path.startswith("/i/"):
        route, segment = R_PHOTO, path[3:]
    elif path.startswith("/avatar/"):
        route, segment = R_AVATAR, path[8:]
    elif path in OPS_PATHS:
        return path, ""
    else:
        route, segment = R_USER, path[1:]
    if not segment or "/" in segment:
        return UNMATCHED, ""
    return route, segment


def create_app(settings: Settings | None = None, *, cache: Cache | None = None,
               blobs: BlobStore | None = None, metadata: MetadataClient | None = None):
    settings = settings or Settings.from_env()
    # gunicorn configures only its own loggers; a no-op where logging is set up already.
    configure_logging(settings.log_level)
    if cache is None:
        from shared.cache import create_cache
        cache = create_cache(settings.cache_url)
    if blobs is None:
        from shared.blobstore import create_blob_store
        blobs = create_blob_store(settings.blob_url)
    if metadata is None:
        if not settings.metadata_url:
            raise ValueError("METADATA_URL must be set when render runs on its own")
        settings.check_outside_standalone()
        metadata = MetadataClient.over_http(settings.metadata_url, settings.internal_token)
    return RenderApp(settings, cache, blobs, metadata)
