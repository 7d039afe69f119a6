"""PostgreSQL specifics: the production database, reached through psycopg2."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

from shared.sockets import readable

# A connection attempt to a Postgres that is down (or a host that drops packets) fails
# within this, so a request answers 503 in seconds rather than hanging.
CONNECT_TIMEOUT = 3


def create_engine(url: str, *, statement_timeout: float | None = 5.0) -> Engine:
    """`statement_timeout` (seconds; None: no limit, for migrations) bounds every statement
    and every wait for a lock, so a stuck database answers 503 instead of pinning workers."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 defaults to psycopg 3; the project ships psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg2")
    options = ""
    if statement_timeout:
        ms = int(statement_timeout * 1000)
        options = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    engine = sa.create_engine(
        parsed, pool_size=5, max_overflow=10,
        # pool_timeout: waiting for a free pooled connection is bounded like the rest.
        pool_timeout=CONNECT_TIMEOUT + (statement_timeout or 30),
        connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": options})
    # Not pool_pre_ping: see replace_dropped (docs/decisions/0067).
    event.listen(engine, "checkout", replace_dropped)
    return engine


def replace_dropped(dbapi_conn, _record, _proxy) -> None:
    """A pooled connection the server dropped while it sat idle (a restart, a terminated
    backend, idle_session_timeout) is replaced instead of failing the request that gets it.

    A pooled connection is idle: the server sends nothing on it unless it is closing it (the
    FATAL message and the FIN make the socket readable) or, rarely, a notice. So the socket is
    polled (a system call, no round trip) and only a readable one is pinged; a failed ping
    raises DisconnectionError, on which the pool discards the connection and checks out
    another. pool_pre_ping did that ping on every checkout: one round trip per request and
    per background pass, which cost both psycopg2 and the Postgres backend CPU."""
    if dbapi_conn.closed:
        raise sa.exc.DisconnectionError("connection closed")
    if not readable(dbapi_conn.fileno()):
        return
    try:
        with dbapi_conn.cursor() as cur:
            cur.execute("SELECT 1")
    except Exception as e:  # the server ended it (FATAL) or the socket is gone
        raise sa.exc.DisconnectionError(f"dropped while idle: {type(e).__name__}") from e
    # The ping left a transaction open (psycopg2 began one); the pooled state is none.
    dbapi_conn.rollback()
