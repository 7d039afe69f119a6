"""Marking read-model keys changed on PostgreSQL: one statement for every key (the version
bump feeds the pending record), with the same outcome as SQLite's statement pair per key."""
import pytest
import sqlalchemy as sa

from services.metadata.db.schema import rm_pending, rm_versions
from services.metadata.relay import readmodel_changes

pytestmark = pytest.mark.integration


def _state(engine):
    with engine.connect() as conn:
        versions = dict(conn.execute(sa.select(rm_versions.c.key, rm_versions.c.version)).all())
        pending = dict(conn.execute(sa.select(rm_pending.c.key, rm_pending.c.version)).all())
    return versions, pending


def test_marking_bumps_each_key_once_and_records_it_pending_at_that_version(pg_engine):
    statements = []
    sa.event.listen(pg_engine, "before_cursor_execute",
                    lambda *a: statements.append(a[2]))
    with pg_engine.begin() as conn:
        readmodel_changes.mark(conn, ["user:a", "photo:p", "user:a"])
    assert len(statements) == 1
    assert _state(pg_engine) == ({"user:a": 1, "photo:p": 1}, {"user:a": 1, "photo:p": 1})
    with pg_engine.begin() as conn:
        conn.execute(rm_pending.delete().where(rm_pending.c.key == "photo:p"))
        statements.clear()
        readmodel_changes.mark(conn, ["photo:p", "email:e"])
    assert len(statements) == 1
    assert _state(pg_engine) == ({"user:a": 1, "photo:p": 2, "email:e": 1},
                                 {"user:a": 1, "photo:p": 2, "email:e": 1})
    statements.clear()
    with pg_engine.begin() as conn:
        readmodel_changes.mark(conn, [])
    assert statements == []
