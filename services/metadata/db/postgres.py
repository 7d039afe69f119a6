"""PostgreSQL specifics: the production database, reached through psycopg2."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

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
    # pre_ping: a connection dropped by a Postgres restart is replaced instead of failing
    # the next request.
    options = ""
    if statement_timeout:
        ms = int(statement_timeout * 1000)
        options = f"-c statement_timeout={ms} -c lock_timeout={ms}"
    return sa.create_engine(
        parsed, pool_pre_ping=True, pool_size=5, max_overflow=10,
        # pool_timeout: waiting for a free pooled connection is bounded like the rest.
        pool_timeout=CONNECT_TIMEOUT + (statement_timeout or 30),
        connect_args={"connect_timeout": CONNECT_TIMEOUT, "options": options})
