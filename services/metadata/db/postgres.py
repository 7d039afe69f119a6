"""PostgreSQL specifics: the production database, reached through psycopg2."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url


def create_engine(url: str) -> Engine:
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "postgresql":
        # SQLAlchemy 2.1 defaults to psycopg 3; the project ships psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg2")
    # pre_ping: a connection dropped by a Postgres restart is replaced instead of failing
    # the next request.
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
