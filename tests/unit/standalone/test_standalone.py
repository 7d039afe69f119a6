"""Standalone's build: one database engine (the metadata app's) for the app, the re-queue of
unfinished images and the background loops, and one schema check."""
import threading

import pytest

from services.metadata import db, migrate
from services.standalone.__main__ import build
from shared.config import Settings


@pytest.fixture
def settings(tmp_path):
    url = f"sqlite:///{tmp_path}/db/onepic.db"
    engine = db.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return Settings(database_url=url, blob_url=f"file://{tmp_path}/blobs",
                    cache_url="memory://standalone-build-test",
                    broker_url="memory://standalone-build-test")


def test_build_makes_one_engine_and_checks_the_schema_once(settings, monkeypatch):
    engines, checks = [], []
    create, check = db.create_engine, migrate.check_at_head
    monkeypatch.setattr(db, "create_engine", lambda url: engines.append(create(url)) or engines[-1])
    monkeypatch.setattr(migrate, "check_at_head", lambda e: checks.append(e) or check(e))
    stop = threading.Event()
    try:
        origin = build(settings, stop)
        assert len(engines) == 1 and checks == engines
        assert origin.apps["metadata"].extensions["onepic_metadata"].engine is engines[0]
    finally:
        stop.set()
        for e in engines:
            e.dispose()
