"""App tests on a fresh SQLite database in tmp_path, with the in-memory cache, a mailer that
keeps what it is given and a clock the test moves."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from services.metadata import db, migrate
from services.metadata.app import create_app
from services.metadata.relay import readmodel_changes
from services.metadata.relay.readmodel_writer import ReadModelWriter
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.mail import Mailer, MailUnavailable
from shared.readmodel import ReadModel
from tests.fakeclock import Clock
from tests.metadata_api import ORIGIN, TOKEN, Api, cheap_kdf  # noqa: F401 - fixtures too


@pytest.fixture
def settings(tmp_path):
    # RATE_LIMITS=off: these tests sign up and claim far more than a person would; the
    # limits are tested in tests/security.
    return Settings(database_url=f"sqlite:///{tmp_path}/db/onepic.db", public_url=ORIGIN,
                    internal_token=TOKEN, rate_limits="off")


@pytest.fixture
def engine(settings, read_model):
    """The database, migrated; what its changes record is written to `read_model` after
    each commit, as the worker's engine does."""
    engine = db.create_engine(settings.database_url)
    migrate.upgrade(engine)
    readmodel_changes.refresh_with(engine, ReadModelWriter(read_model).apply)
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
        return [verify_link(m) for m in self.verifications(to)]

    def verifications(self, to=None):
        return [m for m in self.messages if (to is None or m["To"] == to)
                and m["Subject"] == VERIFY_SUBJECT]

    def notices(self, to=None):
        """The messages telling an owner their address was added to or removed from an
        account (they hold no link)."""
        return [m for m in self.messages if (to is None or m["To"] == to)
                and m["Subject"] != VERIFY_SUBJECT]

    def tokens(self, to=None):
        return [parse_qs(urlsplit(url).query)["token"][0] for url in self.links(to)]


VERIFY_SUBJECT = "Confirm your email address for OnePic"


def verify_link(message) -> str:
    urls = re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())
    assert len(urls) == 1, urls  # exactly one link, always
    return urls[0]


@pytest.fixture
def mailbox():
    return Mailbox()


@pytest.fixture
def clock():
    return Clock(datetime(2030, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def app(settings, engine, cache, mailbox, clock):
    app = create_app(settings, cache=cache, mailer=mailbox, clock=clock)
    yield app
    app.extensions["onepic_metadata"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def internal_app(app):
    """The internal API's own app (INTERNAL_PORT in production), on the same state."""
    from services.metadata.app import INTERNAL
    return app.extensions[INTERNAL]


@pytest.fixture
def internal_client(internal_app):
    return internal_app.test_client()


@pytest.fixture
def api(client):
    return Api(client)
