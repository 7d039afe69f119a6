"""Finding 2 on the account API: sign-up, token creation (per username and per address) and
email claims are rate-limited with Retry-After and the RateLimit fields; the 20-address cap
cannot be walked around by removing and re-adding; quotas per account answer 403
quota_exceeded; RATE_LIMITS=off switches the limits off. Limits: tests/security/conftest.py."""
import time

import pytest

from shared.config import Settings
from tests.metadata_api import ORIGIN, TOKEN


@pytest.fixture(autouse=True)
def one_window():
    """The limits count with a sliding-window counter, which weighs the previous window's
    hits by how much of it is left: hits that straddle a minute boundary count a little less
    than they are (5 hits split 3 + 2 weigh 4.97 just after it, under a limit of 5). Each test
    here makes its hits within a second or two, so it starts away from a boundary."""
    left = 60 - time.time() % 60
    if left < 10:
        time.sleep(left + 0.1)


def post(client, path, body, addr="198.51.100.1", **headers):
    return client.post(path, json=body, headers=headers, environ_base={"REMOTE_ADDR": addr})


def assert_limited(r, rule):
    assert r.status_code == 429, r.get_json()
    assert r.get_json()["error"]["code"] == "too_many_requests"
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["RateLimit-Policy"].startswith(f'"{rule}";q=')
    assert r.headers["RateLimit"].startswith(f'"{rule}";r=0;t=')


def test_sign_up_is_limited_per_address(client):
    for i in range(3):
        r = post(client, "/v1/users", {"username": f"bot{i}", "password": "correct horse"})
        assert r.status_code == 201
        assert r.headers["RateLimit"].startswith('"signup";r=')
    assert_limited(post(client, "/v1/users", {"username": "bot9", "password": "correct horse"}),
                   "signup")
    other = post(client, "/v1/users", {"username": "human", "password": "correct horse"},
                 addr="203.0.113.4")
    assert other.status_code == 201


def test_password_guessing_is_limited_per_username_from_any_address(api, client):
    api.signup("victim")
    for i in range(3):
        r = post(client, "/v1/tokens", {"username": "victim", "password": f"guess{i}xx"},
                 addr=f"203.0.113.{i}")
        assert r.status_code == 401
    r = post(client, "/v1/tokens", {"username": "victim", "password": "correct horse"},
             addr="203.0.113.99")
    assert_limited(r, "tokens_user")


def test_password_guessing_is_limited_per_address_across_usernames(api, client):
    for i in range(5):
        r = post(client, "/v1/tokens", {"username": f"name{i}", "password": "guessxxxx"})
        assert r.status_code == 401
    assert_limited(post(client, "/v1/tokens", {"username": "name9", "password": "guessxxxx"}),
                   "tokens_addr")


def test_the_address_cap_cannot_be_walked_around_by_remove_and_add(api, client):
    user = api.signup("mailer")
    h = api.auth(user["token"])
    for i in range(4):
        assert post(client, "/v1/me/emails", {"email": f"t{i}@example.com"}, **h).status_code == 201
        assert client.delete(f"/v1/me/emails/t{i}@example.com", headers=h).status_code == 204
    assert_limited(post(client, "/v1/me/emails", {"email": "t9@example.com"}, **h),
                   "email_claims")


def test_quotas_per_account(api, engine):
    user = api.signup("hoarder")
    assert api.record(user["id"], b"a" * 100).status_code == 201
    assert api.record(user["id"], b"a" * 100).status_code == 200   # the same bytes: free
    r = api.record(user["id"], b"b" * 2950)   # past QUOTA_BYTES (3000)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "quota_exceeded"
    assert api.record(user["id"], b"c" * 100).status_code == 201
    r = api.record(user["id"], b"d" * 10)    # past QUOTA_PHOTOS (2)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "quota_exceeded"
    auth = api.internal("POST", "/internal/auth", json={"token": user["token"]}).get_json()
    assert auth["quota_left"] == {"photos": 0, "bytes": 2800}


@pytest.fixture
def unlimited_settings(tmp_path):
    return Settings(database_url=f"sqlite:///{tmp_path}/db/onepic.db", public_url=ORIGIN,
                    internal_token=TOKEN, rate_limits="off", limit_signup="1/hour")


def test_rate_limits_off(unlimited_settings, cache, mailbox, clock):
    from services.metadata import db, migrate
    from services.metadata.app import create_app
    engine = db.create_engine(unlimited_settings.database_url)
    migrate.upgrade(engine)
    client = create_app(unlimited_settings, cache=cache, mailer=mailbox, clock=clock).test_client()
    for i in range(4):
        r = post(client, "/v1/users", {"username": f"suite{i}", "password": "correct horse"})
        assert r.status_code == 201 and "RateLimit" not in r.headers
