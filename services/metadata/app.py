"""The metadata service's WSGI app: `gunicorn 'services.metadata.app:create_app()'`."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import Flask

from services.web import pages as web_pages
from shared import web
from shared.blobstore import BlobStore, create_blob_store
from shared.cache import Cache, create_cache
from shared.config import Settings
from shared.mail import Mailer, create_mailer
from shared.ratelimit import Limiter
from shared.readmodel import ReadModel
from shared.server import configure_logging

from . import context, db, ids, internal_api, migrate, openapi
from .accounts import data as account_data
from .accounts import routes as accounts_routes
from .accounts import session_routes
from .emails import routes as emails_routes
from .photos import routes as photos_routes
from .relay import readmodel_changes
from .relay.readmodel_writer import ReadModelWriter
from .stats import routes as stats_routes

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
INTERNAL = "onepic_metadata_internal"   # app.extensions key of the internal API's app


def create_internal_app(settings: Settings | None = None, **kw) -> Flask:
    """metadata's internal API alone: `gunicorn 'services.metadata.app:create_internal_app()'`
    on INTERNAL_PORT."""
    return create_app(settings, **kw).extensions[INTERNAL]


def create_app(settings: Settings | None = None, *, cache: Cache | None = None,
               mailer: Mailer | None = None, blobs: BlobStore | None = None,
               clock: Callable[[], datetime] | None = None) -> Flask:
    """`clock` (default: the real UTC time) is injectable so tests can expire tokens."""
    if settings is None:  # a process of its own (gunicorn), not standalone or a test
        settings = Settings.from_env()
        settings.check_outside_standalone(sends_mail=True)
    # gunicorn configures only its own loggers, so under it INFO from ours went nowhere, the
    # log mailer's messages included (without SMTP_URL they are how one verifies an address).
    # A no-op where the process configured logging already (standalone, the tests).
    configure_logging(settings.log_level)
    engine = db.create_engine(settings.database_url)
    # Fail fast: the web app never migrates, and a stale schema would fail request by request.
    migrate.check_at_head(engine)
    if cache is None:  # not `or`: an empty cache is falsy (it has a length)
        cache = create_cache(settings.cache_url)
    if mailer is None:
        mailer = create_mailer(settings.smtp_url)

    app = Flask(__name__)
    # Every body here is a small JSON object; a huge one is refused (413) before it is read.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    writer = ReadModelWriter(ReadModel(cache))
    # The changes the store functions record are written after each commit on this engine.
    readmodel_changes.refresh_with(engine, writer.apply)
    app.extensions[context.EXTENSION] = context.State(
        settings=settings, engine=engine, writer=writer,
        mailer=mailer, clock=clock or ids.now, limiter=Limiter.from_settings(settings),
        blobs=blobs if blobs is not None else create_blob_store(settings.blob_url))
    app.teardown_appcontext(context.close_db)
    app.register_blueprint(accounts_routes.bp)
    app.register_blueprint(session_routes.bp)
    app.register_blueprint(account_data.bp)
    app.register_blueprint(photos_routes.bp)
    app.register_blueprint(emails_routes.bp)
    app.register_blueprint(stats_routes.bp)
    _register_edits(app, settings)
    app.register_blueprint(openapi.bp)
    # The web page at / (routed here by shared/routing.py): it lives on the session this
    # service issues, so it is served from the same process.
    app.register_blueprint(web_pages.create_blueprint(settings))
    # Without Redis metadata still answers (the read model heals later): degraded, not
    # unready (guarantee 3). Without Postgres it can do nothing.
    health = dict(checks={"database": lambda: db.ping(engine)},
                  degraded={"cache": lambda: cache.ping()},  # noqa: PLW0108 - late-bound
                  unavailable=dict.fromkeys(db.UNAVAILABLE, "The photo database"))
    web.install(app, "metadata", **health)

    # The internal API (upload's and render's) is a WSGI app of its own on the same state,
    # served on INTERNAL_PORT by its own process (create_internal_app), so the public port
    # has no /internal at all, whatever a proxy in front of it routes.
    internal = Flask(__name__ + ".internal")
    internal.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    internal.extensions[context.EXTENSION] = app.extensions[context.EXTENSION]
    internal.teardown_appcontext(context.close_db)
    internal.register_blueprint(internal_api.bp)
    web.install(internal, "metadata-internal", **health)
    app.extensions[INTERNAL] = internal
    log.info("metadata service ready (database %s)", engine.url.render_as_string(hide_password=True))
    return app


def _register_edits(app: Flask, settings: Settings) -> None:
    """PUT /v1/photos/<id>/transform decodes pixels and admits the result like an upload
    (services/upload/edits.py), but the front doors route by path prefix (nginx, the Ingress:
    `Exact`/`Prefix`), which cannot send /v1/photos/<id>/transform elsewhere than the rest
    of /v1/photos/<id>. So metadata serves it, with the upload service's code, its own blob
    store and its own internal API in-process."""
    from flask import request

    from services.upload import edits
    from shared.blobstore import create_blob_store
    from shared.clientaddr import client_address
    from shared.internal import MetadataClient
    from shared.ratelimit import Limiter

    limiter = Limiter.from_settings(settings)

    def limit_uploads(user: dict) -> None:  # an edit makes a photo: an upload's limits
        web.rate_limit(limiter, ("uploads", user["user_id"]),
                       ("uploads_addr", client_address(request.environ,
                                                       settings.trusted_proxies)))

    app.register_blueprint(edits.blueprint(
        settings, create_blob_store(settings.blob_url),
        # The internal API's own app (built after this, hence looked up per call).
        MetadataClient.in_process(
            lambda environ, start: app.extensions[INTERNAL](environ, start),  # noqa: PLW0108 - late-bound
            settings.internal_token), limit_uploads))
