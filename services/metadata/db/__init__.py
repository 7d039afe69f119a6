"""The metadata database: an engine built from DATABASE_URL (PostgreSQL or SQLite) and the
few statements whose spelling differs between the two."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def create_engine(url: str, *, statement_timeout: float | None = 5.0) -> Engine:
    """`statement_timeout` applies to PostgreSQL (SQLite has its busy timeout)."""
    if url.startswith("sqlite"):
        from . import sqlite
        return sqlite.create_engine(url)
    if url.startswith(("postgresql", "postgres")):
        from . import postgres
        return postgres.create_engine(url, statement_timeout=statement_timeout)
    raise ValueError("DATABASE_URL: unsupported scheme (use postgresql:// or sqlite:///)")


@contextlib.contextmanager
def write(conn: Connection) -> Iterator[Connection]:
    """A write transaction on `conn`, committed on success, rolled back on error; then the
    hooks registered with after_commit run.

    A request usually reads (authentication) before it writes; that read's implicit
    transaction is ended first so the write sees fresh data. On SQLite the write transaction
    starts with BEGIN IMMEDIATE: a deferred one that reads then writes can fail with
    SQLITE_BUSY (stale snapshot) where IMMEDIATE just waits for busy_timeout."""
    if conn.in_transaction():
        conn.commit()
    conn.execution_options(onepic_immediate=True)
    hooks: list = []
    conn.info["onepic_after_commit"] = hooks
    conn.info["onepic_transaction"] = {}
    try:
        with conn.begin():
            yield conn
    finally:
        conn.execution_options(onepic_immediate=False)
        conn.info.pop("onepic_after_commit", None)
        conn.info.pop("onepic_transaction", None)
    for hook in hooks:  # only after a commit: an error above skips them
        hook()


def after_commit(conn: Connection, hook) -> bool:
    """Run `hook()` once the write transaction open on `conn` (db.write) has committed.
    False when no such transaction is open (the caller decides what to do)."""
    hooks = conn.info.get("onepic_after_commit")
    if hooks is None:
        return False
    hooks.append(hook)
    return True


def transaction_state(conn: Connection) -> dict | None:
    """A dict that lives as long as the write transaction open on `conn` (db.write), for
    what its statements collect (relay/readmodel_changes.py: the keys it changed); None
    when no such transaction is open."""
    return conn.info.get("onepic_transaction")


# The channel a commit that added outbox rows notifies on PostgreSQL; the relay, in another
# process, LISTENs on it (relay/outbox.py) instead of waiting for its next poll.
OUTBOX_CHANNEL = "onepic_outbox"


_NOTIFY = sa.text(f"NOTIFY {OUTBOX_CHANNEL}")


def notify_outbox(conn: Connection) -> None:
    """Wake relays in other processes when this transaction commits (PostgreSQL delivers a
    NOTIFY at commit, and not at all on rollback). SQLite has no such thing: its one process
    wakes its relay in-process (relay.outbox.wake)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_NOTIFY)


def insert_ignoring_conflict(conn: Connection, table: sa.Table, values: dict,
                             index_elements: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; the number of rows inserted (0 or 1)."""
    stmt = dialect_insert(conn, table).values(**values).on_conflict_do_nothing(
        index_elements=index_elements)
    return conn.execute(stmt).rowcount


def upsert(conn: Connection, table: sa.Table, values: dict | list[dict],
           index_elements: list[str]) -> None:
    """INSERT … ON CONFLICT (…) DO UPDATE with the non-key values; a list of rows (of the
    same keys) goes in one statement: one round trip and one statement built, not one each."""
    rows = [values] if isinstance(values, dict) else values
    if not rows:
        return
    stmt = dialect_insert(conn, table).values(rows)
    updates = {k: stmt.excluded[k] for k in rows[0] if k not in index_elements}
    conn.execute(stmt.on_conflict_do_update(index_elements=index_elements, set_=updates))


_BUILT: dict[tuple[str, str], sa.Executable] = {}


def prebuilt(conn: Connection, name: str, build) -> sa.Executable:
    """The statement `build(conn)` makes, made once per dialect and kept under `name`; run it
    with its values as parameters. A statement built per call costs the expression
    language's construction and cache-key work each time (measured: 0.1 ms of CPU for a
    one-table SELECT, 0.35 ms for an INSERT … ON CONFLICT); one built once skips both. For
    the statements every upload runs."""
    key = (conn.dialect.name, name)
    stmt = _BUILT.get(key)
    if stmt is None:
        stmt = _BUILT[key] = build(conn)
    return stmt


def dialect_insert(conn: Connection, table: sa.Table):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


# What the database being down or too slow looks like through SQLAlchemy: answered 503 +
# Retry-After by the APIs, retried (not counted against a message) by the consumers.
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
