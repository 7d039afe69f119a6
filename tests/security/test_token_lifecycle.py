"""Finding 5: tokens never expired and could not be listed or revoked; there was no password
change; Argon2 hashes were never upgraded; answers carrying tokens could be cached."""
from datetime import timedelta

from argon2 import PasswordHasher

from services.metadata.accounts import passwords


def me(client, api, token):
    return client.get("/v1/me", headers=api.auth(token))


def test_a_token_expires_after_token_ttl(api, client, clock, settings):
    user = api.signup("arpit")
    r = client.post("/v1/tokens", json={"username": "arpit", "password": "correct horse"})
    assert r.status_code == 201 and set(r.get_json()) == {"id", "token", "expires_at"}
    assert me(client, api, user["token"]).status_code == 200
    clock.advance(settings.token_ttl - 1)
    assert me(client, api, user["token"]).status_code == 200
    clock.advance(1)
    assert me(client, api, user["token"]).status_code == 401
    r = api.internal("POST", "/internal/auth", json={"token": user["token"]})
    assert r.status_code == 401   # upload refuses it too


def test_tokens_are_listed_without_secrets_and_revoked_at_once(api, client):
    user = api.signup("arpit")
    second = client.post("/v1/tokens", json={"username": "arpit", "password": "correct horse"})
    second = second.get_json()
    listed = client.get("/v1/tokens", headers=api.auth(user["token"])).get_json()["tokens"]
    assert len(listed) == 2
    assert {t["id"] for t in listed if not t["current"]} == {second["id"]}
    assert all(set(t) == {"id", "created_at", "last_used_at", "expires_at", "current"}
               for t in listed)
    assert second["token"] not in str(listed) and user["token"] not in str(listed)
    r = client.delete(f"/v1/tokens/{second['id']}", headers=api.auth(user["token"]))
    assert r.status_code == 204
    assert me(client, api, second["token"]).status_code == 401
    # Signing out: the current token.
    current = next(t["id"] for t in listed if t["current"])
    assert client.delete(f"/v1/tokens/{current}", headers=api.auth(user["token"])).status_code == 204
    assert me(client, api, user["token"]).status_code == 401


def test_another_accounts_token_cannot_be_revoked(api, client):
    alice, bob = api.signup("alice"), api.signup("bob")
    bobs = client.get("/v1/tokens", headers=api.auth(bob["token"])).get_json()["tokens"][0]["id"]
    r = client.delete(f"/v1/tokens/{bobs}", headers=api.auth(alice["token"]))
    assert r.status_code == 404
    assert me(client, api, bob["token"]).status_code == 200


def test_changing_the_password_revokes_the_other_tokens(api, client):
    user = api.signup("arpit")
    stolen = client.post("/v1/tokens", json={"username": "arpit",
                                             "password": "correct horse"}).get_json()["token"]
    h = api.auth(user["token"])
    r = client.put("/v1/me/password", json={"password": "correct horse",
                                            "new_password": "battery staple"}, headers=h)
    assert r.status_code == 204
    assert me(client, api, stolen).status_code == 401
    assert me(client, api, user["token"]).status_code == 200
    assert client.post("/v1/tokens", json={"username": "arpit",
                                           "password": "battery staple"}).status_code == 201


def test_a_wrong_current_password_changes_nothing(api, client):
    user = api.signup("arpit")
    r = client.put("/v1/me/password", json={"password": "wrong one!", "new_password": "n" * 12},
                   headers=api.auth(user["token"]))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "wrong_password"
    assert client.post("/v1/tokens", json={"username": "arpit",
                                           "password": "correct horse"}).status_code == 201


def test_answers_carrying_tokens_are_not_cached(client):
    r = client.post("/v1/users", json={"username": "arpit", "password": "correct horse"})
    assert r.headers["Cache-Control"] == "no-store"
    r = client.post("/v1/tokens", json={"username": "arpit", "password": "correct horse"})
    assert r.headers["Cache-Control"] == "no-store"


def test_a_weaker_hash_is_upgraded_at_sign_in(api, client, engine, monkeypatch):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", weak)
    api.signup("arpit")
    strong = PasswordHasher(time_cost=2, memory_cost=64, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", strong)
    assert client.post("/v1/tokens", json={"username": "arpit",
                                           "password": "correct horse"}).status_code == 201
    with engine.connect() as conn:
        import sqlalchemy as sa
        stored = conn.execute(sa.text("SELECT password_hash FROM users")).scalar_one()
    assert not strong.check_needs_rehash(stored) and strong.verify(stored, "correct horse")


def test_last_used_is_recorded(api, client, clock):
    user = api.signup("arpit")
    clock.advance(timedelta(hours=1).total_seconds())
    me(client, api, user["token"])
    (token,) = client.get("/v1/tokens", headers=api.auth(user["token"])).get_json()["tokens"]
    assert token["last_used_at"] is not None
