"""App tests on a fresh SQLite database in tmp_path, with the in-memory cache."""
from __future__ import annotations

import hashlib

import pytest
from argon2 import PasswordHasher

from services.metadata import db, migrate, passwords
from services.metadata.app import create_app
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.readmodel import ReadModel

ORIGIN = "https://onepic.test"
TOKEN = "test-internal-token"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch):
    # The production parameters cost ~0.1 s per hash by design; behaviour is the same.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))


@pytest.fixture
def settings(tmp_path):
    return Settings(database_url=f"sqlite:///{tmp_path}/db/onepic.db", public_url=ORIGIN,
                    internal_token=TOKEN)


@pytest.fixture
def engine(settings):
    engine = db.create_engine(settings.database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def cache():
    return MemoryCache()


@pytest.fixture
def read_model(cache):
    return ReadModel(cache)


@pytest.fixture
def app(settings, engine, cache):
    app = create_app(settings, cache=cache)
    yield app
    app.extensions["onepic_metadata"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Small helpers so tests read as the API they exercise."""

    def __init__(self, client):
        self.client = client
        self._n = 0

    def signup(self, username=None, password="correct horse", **extra):
        self._n += 1
        username = username or f"user{self._n}"
        r = self.client.post("/v1/users", json={"username": username, "password": password, **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def internal(self, method, path, **kw):
        headers = {"X-Internal-Token": TOKEN, **kw.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kw)

    def record(self, user_id, data=b"image", **extra):
        body = {"user_id": user_id, "sha256": hashlib.sha256(data).hexdigest(), "format": "jpeg",
                "width": 640, "height": 480, "bytes": len(data), "alpha": False, "frames": 1,
                **extra}
        return self.internal("POST", "/internal/photos", json=body)

    @staticmethod
    def auth(token):
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(client):
    return Api(client)
