"""The metadata service's WSGI app: `gunicorn 'services.metadata.app:create_app()'`."""
from __future__ import annotations

import logging

from flask import Flask

from shared import web
from shared.cache import Cache, create_cache
from shared.config import Settings
from shared.readmodel import ReadModel

from . import api, context, db, internal, migrate, openapi
from .readmodel_writer import ReadModelWriter

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, cache: Cache | None = None) -> Flask:
    settings = settings or Settings.from_env()
    engine = db.create_engine(settings.database_url)
    # Fail fast: the web app never migrates, and a stale schema would fail request by request.
    migrate.check_at_head(engine)
    if cache is None:  # not `or`: an empty cache is falsy (it has a length)
        cache = create_cache(settings.cache_url)

    app = Flask(__name__)
    app.extensions[context.EXTENSION] = context.State(
        settings=settings, engine=engine, writer=ReadModelWriter(ReadModel(cache)))
    app.teardown_appcontext(context.close_db)
    app.register_blueprint(api.bp)
    app.register_blueprint(internal.bp)
    app.register_blueprint(openapi.bp)
    web.install(app, "metadata", checks={"database": lambda: db.ping(engine),
                                         "cache": cache.ping})
    log.info("metadata service ready (database %s)", engine.url.render_as_string(hide_password=True))
    return app
