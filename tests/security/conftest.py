"""The metadata app of tests/unit/metadata (SQLite, in-memory cache, a mailbox, a clock), with
the rate limits ON and small enough to reach in a test."""
import pytest

from shared.config import Settings
from tests.metadata_api import ORIGIN, TOKEN
from tests.unit.metadata.conftest import (  # noqa: F401 - fixtures
    Mailbox,
    api,
    app,
    cache,
    cheap_kdf,
    client,
    clock,
    engine,
    internal_app,
    internal_client,
    mailbox,
    read_model,
)

LIMITS = dict(limit_signup="3/hour", limit_tokens_per_username="3/minute",
              limit_tokens_per_address="5/minute", limit_email_claims="4/hour",
              quota_photos=2, quota_bytes=3000)


@pytest.fixture
def settings(tmp_path):
    return Settings(database_url=f"sqlite:///{tmp_path}/db/onepic.db", public_url=ORIGIN,
                    internal_token=TOKEN, blob_url=f"file://{tmp_path}/blobs", **LIMITS)
