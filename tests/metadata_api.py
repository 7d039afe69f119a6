"""What the metadata test suites share, on SQLite (tests/unit/metadata) and on Postgres
(tests/integration/metadata): the origin and service token their apps use, cheap password
hashing, and `Api`, small helpers so tests read as the API they exercise."""
from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher

from services.metadata.accounts import passwords

ORIGIN = "https://onepic.test"
TOKEN = "test-internal-token"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch):
    # The production parameters cost ~0.1 s per hash by design; behaviour is the same.
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=64,
                                                             parallelism=1))


class Api:
    """Small helpers so tests read as the API they exercise."""

    def __init__(self, client):
        self.client = client
        self._n = 0
        self.tokens: dict[str, str] = {}   # username → bearer token, for confirming links

    def signup(self, username=None, password="correct horse", **extra):
        self._n += 1
        username = username or f"user{self._n}"
        r = self.client.post("/v1/users", json={"username": username, "password": password, **extra})
        assert r.status_code == 201, r.get_json()
        self.tokens[username] = r.get_json()["token"]
        return r.get_json()

    def internal(self, method, path, **kw):
        """A call to the internal API, which is its own app (its own port in production)."""
        from services.metadata.app import INTERNAL
        headers = {"X-Internal-Token": TOKEN, **kw.pop("headers", {})}
        internal = self.client.application.extensions[INTERNAL].test_client()
        return internal.open(path, method=method, headers=headers, **kw)

    def record(self, user_id, data=b"image", **extra):
        body = {"user_id": user_id, "sha256": hashlib.sha256(data).hexdigest(), "format": "jpeg",
                "width": 640, "height": 480, "bytes": len(data), "alpha": False, "frames": 1,
                **extra}
        return self.internal("POST", "/internal/photos", json=body)

    def add_email(self, token, address):
        return self.client.post("/v1/me/emails", json={"email": address}, headers=self.auth(token))

    def open_link(self, url):
        """Open a verification link as a mail client or scanner would: GET, which shows."""
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == ORIGIN and parts.path == "/v1/emails/verify"
        return self.client.get(f"{parts.path}?{parts.query}")

    def click(self, url, bearer=None):
        """What the claimant does with the link: open it (GET shows whose claim it is), then
        press Confirm signed in as that account (POST). A failing GET is the answer."""
        shown = self.open_link(url)
        if shown.status_code != 200:
            return shown
        bearer = bearer or self.tokens[shown.get_json()["username"]]
        return self.client.post("/v1/emails/verify", json={"token": token_of(url)},
                                headers=self.auth(bearer))

    def verified(self, token, address, mailbox):
        """Add `address` to the account of `token` and click the link mailed for it."""
        assert self.add_email(token, address).status_code in (200, 201)
        r = self.click(mailbox.links(address.strip().lower())[-1])
        assert r.status_code == 200 and r.get_json()["verified"] is True, r.get_json()
        return r.get_json()

    @staticmethod
    def auth(token):
        return {"Authorization": f"Bearer {token}"}


def token_of(url: str) -> str:
    from urllib.parse import parse_qs
    return parse_qs(urlsplit(url).query)["token"][0]


def stand_in_resizer(broker):
    """A resize.requests handler that reports every named variant without making any, so the
    metadata round trip can be tested without pyvips."""
    from shared.broker import RESIZE_RESULTS
    from shared.images import VARIANTS

    def handle(msg: dict) -> None:
        broker.publish(RESIZE_RESULTS, {"sha256": msg["sha256"], "variants": [
            {"name": n, "fmt": f, "width": w, "height": w, "bytes": 10}
            for n, w in VARIANTS.items() for f in ("jpeg", "webp")]})

    return handle
