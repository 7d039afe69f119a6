"""Migrations on SQLite: they produce db/schema.py, concurrent runs are serialised, and the app
refuses to start on a database that is not at head."""
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

ROOT = Path(__file__).resolve().parents[3]


def test_migrations_produce_exactly_schema_py(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_compare_would_notice_a_difference(tmp_path):
    # Guards the test above: an empty database differs from db/schema.py.
    engine = db.create_engine(f"sqlite:///{tmp_path}/empty.db")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()


def test_two_migrate_processes_at_once_both_succeed(tmp_path):
    url = f"sqlite:///{tmp_path}/new/dir/onepic.db"  # the directory does not exist yet
    env = {**os.environ, "DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-m", "services.metadata.migrate"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for _ in range(2)]
    outputs = [p.communicate(timeout=60)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    engine = db.create_engine(url)
    migrate.check_at_head(engine)
    engine.dispose()


def test_app_fails_fast_on_an_unmigrated_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/fresh.db")
    with pytest.raises(migrate.SchemaNotCurrent, match="make migrate"):
        create_app(settings, cache=MemoryCache())
