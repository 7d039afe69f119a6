"""Per-app state and per-request database connections (the flaskr pattern)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request
from sqlalchemy.engine import Connection, Engine

from shared.blobstore import BlobStore
from shared.clientaddr import client_address
from shared.config import Settings
from shared.errors import ApiError
from shared.mail import Mailer
from shared.ratelimit import Limiter
from shared.session import request_token

from .accounts import store as accounts
from .relay.readmodel_writer import ReadModelWriter

EXTENSION = "onepic_metadata"


@dataclass
class State:
    settings: Settings
    engine: Engine
    writer: ReadModelWriter
    mailer: Mailer
    clock: Callable[[], datetime]  # now, as an aware UTC datetime
    limiter: Limiter
    blobs: BlobStore   # read for GET /v1/me/export


def state() -> State:
    return current_app.extensions[EXTENSION]


def get_db() -> Connection:
    """This request's connection, opened on first use and closed in teardown."""
    if "db" not in g:
        g.db = state().engine.connect()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def client() -> str:
    """The client's address (X-Forwarded-For believed only from TRUSTED_PROXIES)."""
    return client_address(request.environ, state().settings.trusted_proxies)


def current_user() -> dict:
    """The user of the bearer token or the web page's session cookie ({"id", "username",
    "active_photo_id", "token_id"}), or a 401 for a missing, unknown, revoked or expired one."""
    token = request_token(request)  # 403 for a cookie without its CSRF header
    user = accounts.user_for_token(get_db(), token, state().clock()) if token else None
    if user is None:
        raise ApiError(401, "unauthorized",
                       "Sign in first: send Authorization: Bearer <token> or the session cookie.")
    return user
