"""PostgreSQL down or too slow is a 503 with Retry-After, never a 500 or a hung request."""
import time

import pytest
import sqlalchemy as sa

from services.metadata import db
from services.metadata.db import postgres

pytestmark = pytest.mark.integration


def test_a_statement_past_its_timeout_is_cancelled(pg_url):
    engine = db.create_engine(pg_url, statement_timeout=0.3)
    try:
        started = time.monotonic()
        with pytest.raises(db.UNAVAILABLE), engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_sleep(5)"))
        assert time.monotonic() - started < 2
    finally:
        engine.dispose()


def test_an_unreachable_server_fails_within_the_connect_timeout(closed_port):
    engine = db.create_engine(f"postgresql://root@127.0.0.1:{closed_port}/x")
    started = time.monotonic()
    with pytest.raises(db.UNAVAILABLE):
        db.ping(engine)
    assert time.monotonic() - started < postgres.CONNECT_TIMEOUT + 1


def test_the_api_answers_503_with_retry_after_while_the_database_refuses(
        app, client, api, names, pg_url, pg_engine, caplog):
    user = api.signup(names("pgdown"))
    h = api.auth(user["token"])
    assert client.get("/v1/me", headers=h).status_code == 200
    database = sa.engine.make_url(pg_url).database
    admin = sa.create_engine(sa.engine.make_url(pg_url).set(database="postgres",
                                                            drivername="postgresql+psycopg2"),
                             isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            # As good as the server being gone: no new sessions, the open ones cut.
            conn.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :d AND pid <> pg_backend_pid()"),
                         {"d": database})
        for path in ("/v1/me", "/v1/photos"):
            r = client.get(path, headers=h)
            assert r.status_code == 503, (path, r.get_json())
            assert r.headers["Retry-After"]
            assert r.get_json()["error"]["code"] == "unavailable"
        assert client.get("/readyz").status_code == 503
        assert user["token"] not in caplog.text
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    # And back once the database is.
    assert client.get("/v1/me", headers=h).status_code == 200


def test_a_pooled_connection_dropped_while_idle_is_replaced_not_failed(pg_url):
    """No pre-ping (decision 0067): the pool polls the idle socket and replaces a connection
    the server closed, so the request that checks it out never sees the dead one."""
    engine = db.create_engine(pg_url)
    admin = sa.create_engine(sa.engine.make_url(pg_url).set(drivername="postgresql+psycopg2"),
                             isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            first = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": first})
        time.sleep(0.2)  # the FATAL message and the close reach the pooled socket
        with engine.connect() as conn:
            second = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        assert second != first
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()
        admin.dispose()
