"""POST /v1/users, POST /v1/tokens, GET /v1/me."""
import hashlib

import pytest

from services.metadata.accounts import passwords
from services.metadata.app import MAX_BODY
from services.metadata.validation import MAX_PASSWORD, RESERVED_USERNAMES
from shared.routing import service_for
from tests.metadata_api import TOKEN


def test_signup_returns_token_and_avatar_url(api, client, settings):
    origin = settings.origin
    body = api.signup("Arpit", email="  Arpit@Example.COM ")
    assert body["username"] == "arpit"
    assert body["id"].startswith("u_")
    assert body["avatar_url"] == f"{origin}/arpit"
    me = client.get("/v1/me", headers=api.auth(body["token"])).get_json()
    assert me["id"] == body["id"] and me["username"] == "arpit"
    assert me["active_photo_id"] is None and me["avatar_url"] == f"{origin}/arpit"
    assert me["emails"] == [{
        "email": "arpit@example.com", "verified": False,
        "md5": hashlib.md5(b"arpit@example.com").hexdigest(),
        "sha256": hashlib.sha256(b"arpit@example.com").hexdigest(), "photo_id": None}]


@pytest.mark.parametrize("body,status,code", [
    ({"username": "ab", "password": "longenough"}, 422, "invalid_username"),
    ({"username": "a" * 33, "password": "longenough"}, 422, "invalid_username"),
    ({"username": "bad name", "password": "longenough"}, 422, "invalid_username"),
    ({"username": "émile", "password": "longenough"}, 422, "invalid_username"),
    ({"username": 42, "password": "longenough"}, 422, "invalid_username"),
    ({"username": "AVATAR", "password": "longenough"}, 422, "reserved_username"),
    ({"username": "healthz", "password": "longenough"}, 422, "reserved_username"),
    ({"username": "okname", "password": "short"}, 422, "invalid_password"),
    ({"username": "okname"}, 422, "invalid_password"),
    ({"username": "okname", "password": "longenough", "email": "not-an-address"}, 422,
     "invalid_email"),
    (["not", "an", "object"], 400, "bad_json"),
])
def test_signup_rejects_bad_input_and_leaves_nothing(client, body, status, code):
    r = client.post("/v1/users", json=body)
    assert r.status_code == status
    assert r.get_json()["error"]["code"] == code
    assert r.get_json()["error"]["message"]
    # Nothing was created: the well-formed part of the request can still sign up.
    assert client.post("/v1/users", json={"username": "okname", "password": "longenough"}).status_code == 201


def test_signup_with_invalid_json_is_400(client):
    r = client.post("/v1/users", data="{nope", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_json"


def test_taken_username_is_409_case_insensitively(api, client):
    api.signup("arpit")
    r = client.post("/v1/users", json={"username": "ARPIT", "password": "longenough"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "username_taken"


def test_reserved_names_cover_every_top_level_route_of_other_services():
    for name in ("v1", "avatar", "i", "healthz", "readyz", "metrics", "static", "internal",
                 "favicon.ico", "robots.txt"):
        assert name in RESERVED_USERNAMES
    # /<username> goes to render; a reserved name must be one render or routing claims.
    assert service_for("GET", "/v1") == "metadata"


def test_tokens_issue_a_new_working_token(api, client):
    api.signup("arpit", password="correct horse")
    r = client.post("/v1/tokens", json={"username": "Arpit", "password": "correct horse"})
    assert r.status_code == 201
    token = r.get_json()["token"]
    assert client.get("/v1/me", headers=api.auth(token)).get_json()["username"] == "arpit"


@pytest.mark.parametrize("username,password", [("arpit", "wrong horse"), ("nobody", "correct horse")])
def test_wrong_credentials_are_401(api, client, username, password):
    api.signup("arpit", password="correct horse")
    r = client.post("/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"


def test_an_overlong_password_is_401_without_hashing(api, client, monkeypatch):
    api.signup("arpit", password="correct horse")
    hashed = []
    verify = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password",
                        lambda *a: hashed.append(len(a[1])) or verify(*a))
    for username in ("arpit", "nobody"):
        r = client.post("/v1/tokens", json={"username": username,
                                            "password": "x" * (MAX_PASSWORD + 1)})
        assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"
    assert hashed == []
    # At the limit it is still checked (and wrong).
    r = client.post("/v1/tokens", json={"username": "arpit", "password": "x" * MAX_PASSWORD})
    assert r.status_code == 401 and hashed == [MAX_PASSWORD]


@pytest.mark.parametrize("path", ["/v1/users", "/v1/tokens", "/internal/auth"])
def test_a_huge_body_is_413_json(client, internal_client, path):
    c = internal_client if path.startswith("/internal") else client
    r = c.post(path, data=b"{" + b" " * MAX_BODY + b"}", content_type="application/json",
                    headers={"X-Internal-Token": TOKEN})
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer "])
def test_me_needs_a_valid_bearer_token(client, header):
    headers = {"Authorization": header} if header is not None else {}
    r = client.get("/v1/me", headers=headers)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"


def test_tokens_are_stored_only_as_hashes(api, engine):
    token = api.signup("arpit")["token"]
    with engine.connect() as conn:
        stored = [r[0] for r in conn.exec_driver_sql("SELECT token_sha256 FROM api_tokens")]
        hashes = [r[0] for r in conn.exec_driver_sql("SELECT password_hash FROM users")]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert hashes[0].startswith("$argon2id$") and "correct horse" not in hashes[0]


def test_signup_replaces_a_negative_user_entry(api, read_model):
    read_model.put("user", "arpit", None, 0)
    api.signup("arpit")
    assert read_model.get("user", "arpit") == {"username": "arpit", "photo": None}
