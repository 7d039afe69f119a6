"""App tests on a fresh SQLite database in tmp_path, with the in-memory cache, a mailer that
keeps what it is given and a clock the test moves."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fakeclock import Clock
from argon2 import PasswordHasher

from services.metadata import db, migrate, passwords
from services.metadata.app import create_app
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.mail import Mailer, MailUnavailable
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


class Mailbox(Mailer):
    """Keeps every message; `down = True` makes sending fail like an unreachable server.
    (tests/integration/test_smtp_*.py run the real SMTP path.)"""

    def __init__(self):
        self.messages = []
        self.down = False

    def send(self, message):
        if self.down:
            raise MailUnavailable("mail.test:25: ConnectionRefusedError")
        self.messages.append(message)

    def links(self, to=None):
        """The verification URLs sent (to one address), oldest first."""
        return [verify_link(m) for m in self.messages if to is None or m["To"] == to]

    def tokens(self, to=None):
        return [parse_qs(urlsplit(url).query)["token"][0] for url in self.links(to)]


def verify_link(message) -> str:
    urls = re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())
    assert len(urls) == 1, urls  # exactly one link, always
    return urls[0]


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def clock():
    return Clock(datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def app(settings, engine, cache, mailbox, clock):
    app = create_app(settings, cache=cache, mailer=mailbox, clock=clock)
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

    def add_email(self, token, address):
        return self.client.post("/v1/me/emails", json={"email": address}, headers=self.auth(token))

    def click(self, url):
        """Open a verification link as a mail client would (path and query of the URL)."""
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == ORIGIN and parts.path == "/v1/emails/verify"
        return self.client.get(f"{parts.path}?{parts.query}")

    def verified(self, token, address, mailbox):
        """Add `address` to the account of `token` and click the link mailed for it."""
        assert self.add_email(token, address).status_code in (200, 201)
        r = self.click(mailbox.links(address.strip().lower())[-1])
        assert r.status_code == 200 and r.get_json()["verified"] is True, r.get_json()
        return r.get_json()

    @staticmethod
    def auth(token):
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(client):
    return Api(client)
