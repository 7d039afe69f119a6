"""The internal API: service token, /internal/auth, /internal/photos, /internal/read-model."""
import hashlib

import pytest
import sqlalchemy as sa


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.parametrize("headers", [{}, {"X-Internal-Token": "wrong"}, {"X-Internal-Token": ""}])
def test_internal_routes_need_the_service_token(internal_client, headers):
    for method, path in (("GET", "/internal/ping"), ("POST", "/internal/auth"), ("POST", "/internal/photos"),
                         ("GET", "/internal/read-model/user/arpit")):
        r = internal_client.open(path, method=method, json={}, headers=headers)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_auth_answers_the_user_of_a_token(api, settings):
    user = api.signup("arpit")
    r = api.internal("POST", "/internal/auth", json={"token": user["token"]})
    assert r.status_code == 200 and r.get_json() == {
        "user_id": user["id"], "username": "arpit",
        "quota_left": {"photos": settings.quota_photos, "bytes": settings.quota_bytes}}
    for body in ({"token": "nope"}, {"token": ""}, {"token": 5}, {}):
        assert api.internal("POST", "/internal/auth", json=body).status_code == 401


def test_record_photo_creates_rows_outbox_and_read_model(api, engine, read_model, settings):
    user = api.signup("arpit")
    r = api.record(user["id"], b"one", activate=True, alt="me", rating="pg")
    assert r.status_code == 201
    photo = r.get_json()
    sha = hashlib.sha256(b"one").hexdigest()
    assert photo["sha256"] == sha and photo["alt"] == "me" and photo["rating"] == "pg"
    assert photo["url"] == f"{settings.origin}/i/{photo['id']}"
    assert photo["status"] == "processing"
    assert photo["variants"] == {"thumbnail": None, "small": None, "medium": None, "large": None}
    assert len(photo["id"]) == 11 and photo["created_at"].endswith("Z")
    assert count(engine, "outbox") == 1
    view = {"id": photo["id"], "sha256": sha, "format": "jpeg", "width": 640, "height": 480,
            "alpha": False, "rating": "pg", "variants": {}, "expires_at": None}
    assert read_model.get("photo", photo["id"]) == view
    assert read_model.get("user", "arpit") == {"username": "arpit", "photo": view}


def test_same_bytes_twice_is_200_with_the_same_photo_and_still_activates(api, client, read_model):
    user = api.signup("arpit")
    first = api.record(user["id"], b"one").get_json()
    assert read_model.get("user", "arpit")["photo"] is None
    again = api.record(user["id"], b"one", activate=True)
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    assert client.get("/v1/me", headers=api.auth(user["token"])).get_json()["active_photo_id"] == first["id"]
    assert read_model.get("user", "arpit")["photo"]["id"] == first["id"]


def test_two_users_share_one_image_row(api, engine):
    a, b = api.signup("alice"), api.signup("bob")
    pa = api.record(a["id"], b"same").get_json()
    pb = api.record(b["id"], b"same").get_json()
    assert pa["id"] != pb["id"] and pa["sha256"] == pb["sha256"]
    assert count(engine, "images") == 1 and count(engine, "photos") == 2


@pytest.mark.parametrize("change,code", [
    ({"user_id": "u_nobody"}, "invalid_user"),
    ({"user_id": None}, "invalid_user"),
    ({"sha256": "abc"}, "invalid_image"),
    ({"sha256": "A" * 64}, "invalid_image"),
    ({"sha256": "a" * 64 + "\n"}, "invalid_image"),
    ({"format": "svg"}, "invalid_image"),
    ({"width": 0}, "invalid_image"),
    ({"height": "480"}, "invalid_image"),
    ({"frames": True}, "invalid_image"),
    ({"rating": "nc17"}, "invalid_rating"),
    ({"alt": "x" * 1001}, "invalid_alt"),
    ({"activate": "yes"}, "invalid_request"),
])
def test_record_photo_rejects_bad_input_and_leaves_nothing(api, engine, change, code):
    user = api.signup("arpit")
    body = {"user_id": user["id"], "sha256": "a" * 64, "format": "jpeg", "width": 1,
            "height": 1, "bytes": 1, "alpha": False, "frames": 1, **change}
    r = api.internal("POST", "/internal/photos", json=body)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == code
    assert [count(engine, t) for t in ("images", "photos", "outbox")] == [0, 0, 0]


def test_read_model_lookup_builds_and_writes_back(api, cache, read_model):
    user = api.signup("arpit")
    photo = api.record(user["id"], b"one", activate=True).get_json()
    cache._data.clear()
    r = api.internal("GET", "/internal/read-model/user/ARPIT")
    assert r.status_code == 200 and r.get_json()["photo"]["id"] == photo["id"]
    assert read_model.get("user", "arpit") == r.get_json()
    r = api.internal("GET", f"/internal/read-model/photo/{photo['id']}")
    assert r.get_json()["sha256"] == photo["sha256"]
    assert read_model.get("photo", photo["id"]) == r.get_json()


@pytest.mark.parametrize("kind,name", [("user", "nobody"), ("photo", "nophoto1234"),
                                       ("email", "d41d8cd98f00b204e9800998ecf8427e")])
def test_read_model_lookup_of_nothing_is_missing_and_cached_negative(api, read_model, kind, name):
    r = api.internal("GET", f"/internal/read-model/{kind}/{name}")
    assert r.status_code == 200 and r.get_json() == {"missing": True}
    assert read_model.get(kind, name) == {"missing": True}


def test_read_model_unknown_kind_is_404(api):
    assert api.internal("GET", "/internal/read-model/album/x").status_code == 404


def test_cache_failure_does_not_fail_the_request(api, cache, monkeypatch):
    from shared.cache import CacheUnavailable

    def down(*a, **k):
        raise CacheUnavailable("cache is down")

    user = api.signup("arpit")
    monkeypatch.setattr(cache, "set", down)
    r = api.record(user["id"], b"one", activate=True)
    assert r.status_code == 201
    entry = api.internal("GET", "/internal/read-model/user/arpit").get_json()
    assert entry["photo"]["id"] == r.get_json()["id"]
