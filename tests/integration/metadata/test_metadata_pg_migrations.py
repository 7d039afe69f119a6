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
