"""Metadata against real servers: a fresh PostgreSQL database per test session (created,
migrated, dropped), Redis db 15 for the read model, RabbitMQ queues under a unique prefix,
and a real SMTP server on loopback (tests/smtp_sink.py) receiving the verification mail."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import psycopg2
import pytest
from sqlalchemy.engine import make_url

from services.metadata import db, migrate
from services.metadata.app import create_app
from shared.cache.redis import RedisCache
from shared.config import Settings
from shared.readmodel import ReadModel
from tests.fakeclock import Clock
from tests.metadata_api import ORIGIN, TOKEN, Api, cheap_kdf  # noqa: F401 - fixtures too
from tests.smtp_sink import SmtpSink

# Same default as tests/integration/conftest.py, which checks the server is up.
ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")

TABLES = ("users, api_tokens, emails, email_tokens, images, variants, photos, outbox, "
          "rm_versions, rm_pending")


@contextmanager
def fresh_database():
    """A new, empty database; dropped (with any sessions left on it) afterwards."""
    name = f"onepic_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(ADMIN_URL, connect_timeout=3)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def new_database(required_servers):
    """fresh_database, for tests that need their own empty database."""
    return fresh_database


@pytest.fixture(scope="session")
def pg_url(required_servers):
    with fresh_database() as url:
        engine = db.create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url


@pytest.fixture
def pg_engine(pg_url):
    engine = db.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    yield engine
    engine.dispose()


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def settings(pg_url, run_id, smtp):
    return Settings(database_url=pg_url, public_url=ORIGIN, internal_token=TOKEN,
                    queue_prefix=run_id, smtp_url=f"smtp://{smtp.hostport}", rate_limits="off")


@pytest.fixture
def redis_cache(redis_url):
    cache = RedisCache.from_url(redis_url)
    yield cache
    cache.close()


@pytest.fixture
def read_model(redis_cache):
    return ReadModel(redis_cache)


@pytest.fixture
def app(settings, pg_engine, redis_cache, clock):
    app = create_app(settings, cache=redis_cache, clock=clock)
    yield app
    app.extensions["onepic_metadata"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def names():
    """Unique usernames: Redis db 15 is shared with other test sessions."""
    tag = uuid.uuid4().hex[:8]
    return lambda base: f"{base}-{tag}"


@pytest.fixture
def api(client):
    return Api(client)
