"""Migrations on PostgreSQL."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from services.metadata import db, migrate
from services.metadata.app import create_app
from services.metadata.db.schema import metadata
from shared.cache.memory import MemoryCache
from shared.config import Settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def test_migrations_produce_exactly_schema_py(pg_url):
    engine = db.create_engine(pg_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diffs == []


def test_two_migrate_processes_at_once_both_succeed(new_database):
    with new_database() as url:
        env = {**os.environ, "DATABASE_URL": url}
        procs = [subprocess.Popen([sys.executable, "-m", "services.metadata.migrate"], cwd=ROOT,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for _ in range(3)]
        outputs = [p.communicate(timeout=60)[0].decode() for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        # Exactly one of them did the work; the others found the schema at head.
        assert sum(f"empty → {migrate.head_revision()}" in out for out in outputs) == 1, outputs
        engine = db.create_engine(url)
        migrate.check_at_head(engine)
        engine.dispose()


def test_app_fails_fast_on_an_unmigrated_database(new_database):
    with new_database() as url, pytest.raises(migrate.SchemaNotCurrent, match="make migrate"):
        create_app(Settings(database_url=url), cache=MemoryCache())


def test_tokens_issued_before_0053_get_an_id_and_expire_in_30_days(new_database):
    import sqlalchemy as sa
    from alembic import command
    with new_database() as url:
        engine = db.create_engine(url)
        with engine.begin() as conn:
            command.upgrade(migrate.alembic_config(conn), "0052")
            conn.execute(sa.text(
                "INSERT INTO users (id, username, password_hash, created_at) "
                "VALUES ('u1', 'old', 'x', '2030-01-01T00:00:00Z')"))
            conn.execute(sa.text(
                "INSERT INTO api_tokens (token_sha256, user_id, created_at) "
                "VALUES ('ab' || repeat('0', 62), 'u1', '2030-01-01T00:00:00Z')"))
            command.upgrade(migrate.alembic_config(conn), "head")
            row = conn.execute(sa.text("SELECT id, expires_at, last_used_at FROM api_tokens")).one()
        engine.dispose()
        assert row.id == "t_ab00000000000000"
        assert row.expires_at.isoformat().startswith("2030-01-31T00:00:00")
        assert row.last_used_at is None
