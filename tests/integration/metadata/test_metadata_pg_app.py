"""The metadata app on PostgreSQL with the Redis read model, including races the database
must settle."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.integration


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_account_and_photo_lifecycle(api, client, read_model, names, pg_engine):
    name = names("arpit")
    user = api.signup(name)
    h = api.auth(user["token"])
    assert read_model.get("user", name) == {"username": name, "photo": None}
    first = api.record(user["id"], b"one", activate=True)
    assert first.status_code == 201
    pid = first.get_json()["id"]
    assert read_model.get("user", name)["photo"]["id"] == pid
    assert api.record(user["id"], b"one").status_code == 200
    second = api.record(user["id"], b"two").get_json()["id"]
    listed = client.get("/v1/photos", headers=h).get_json()
    assert [p["id"] for p in listed["photos"]] == [second, pid]
    assert client.put("/v1/me/active-photo", json={"photo_id": second}, headers=h).status_code == 200
    assert read_model.get("user", name)["photo"]["id"] == second
    assert client.delete(f"/v1/photos/{second}", headers=h).status_code == 204
    assert read_model.get("user", name) == {"username": name, "photo": None}
    assert read_model.get("photo", second) == {"missing": True}
    assert client.get("/v1/me", headers=h).get_json()["active_photo_id"] is None
    # A resize request per recording of an image without variants (the repeat too: it heals
    # a lost request), two images.
    assert count(pg_engine, "outbox") == 3 and count(pg_engine, "images") == 2


def test_concurrent_signups_with_one_name_give_one_201_and_the_rest_409(app, names, pg_engine):
    name = names("race")

    def signup(_):
        with app.test_client() as c:
            return c.post("/v1/users", json={"username": name, "password": "longenough"}).status_code

    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(signup, range(4)))
    assert statuses == [201, 409, 409, 409]
    assert count(pg_engine, "users") == 1 and count(pg_engine, "api_tokens") == 1


def test_concurrent_uploads_of_the_same_bytes_make_one_photo(app, api, names, pg_engine):
    user = api.signup(names("dup"))

    def upload(_):
        with app.test_client() as c:
            r = type(api)(c).record(user["id"], b"same")  # one client per thread
            return r.status_code, r.get_json()["id"]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(upload, range(4)))
    assert sorted(s for s, _ in results) == [200, 200, 200, 201]
    assert len({pid for _, pid in results}) == 1
    assert count(pg_engine, "photos") == 1 and count(pg_engine, "images") == 1


def test_readyz_checks_postgres_and_redis(client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["failed"] == []
