"""Apply the database migrations: `python -m services.metadata.migrate` (make migrate).

A release step, never run by a web worker. Concurrent runs (several pods starting a Job, two
terminals) are serialised: on PostgreSQL by an advisory lock held by the transaction that
runs the upgrade, on SQLite by an exclusive lock on a file next to the database.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from shared.config import Settings
from shared.server import configure_logging

from . import db
from .db import sqlite

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "db" / "migrations"
# Any constant shared by every migrator; "onepic" in ASCII.
ADVISORY_LOCK_ID = 0x6F6E6570696330
# How long a second migrator waits for the first before giving up.
LOCK_WAIT = "120s"
# Once the lock is held, DDL must not queue for long behind application locks.
DDL_LOCK_TIMEOUT = "10s"


class SchemaNotCurrent(RuntimeError):
    """The database is not at the newest migration."""


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    with _file_lock(engine), engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
            # Transaction-scoped: released by the commit that makes the schema visible.
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_ID})")
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{DDL_LOCK_TIMEOUT}'")
        before = current_revision(conn)
        command.upgrade(alembic_config(conn), "head")
        after = current_revision(conn)
    log.info("database schema: %s → %s", before or "empty", after)


def check_at_head(engine: Engine) -> None:
    """Fail fast (SchemaNotCurrent) when the schema is not at the newest migration."""
    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
    if current != head:
        raise SchemaNotCurrent(
            f"database schema is at {current or 'no revision'}, the code expects {head}; "
            "run `make migrate` (python -m services.metadata.migrate) first")


@contextlib.contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    path = sqlite.database_path(str(engine.url)) if engine.dialect.name == "sqlite" else None
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate.lock"), "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    # No statement timeout: a migration may rewrite a big table (it takes its own locks).
    engine = db.create_engine(settings.database_url, statement_timeout=None)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
