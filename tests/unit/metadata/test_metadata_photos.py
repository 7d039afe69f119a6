"""GET/PATCH/DELETE /v1/photos…, PUT /v1/me/active-photo, and what they do to the read model."""
import pytest

from services.metadata.photos.store import PAGE_SIZE, encode_cursor


@pytest.fixture
def owner(api):
    return api.signup("arpit")


def test_list_is_newest_first_and_pages_with_an_opaque_cursor(api, client, owner):
    ids = [api.record(owner["id"], f"img{i}".encode()).get_json()["id"] for i in range(PAGE_SIZE + 3)]
    first = client.get("/v1/photos", headers=api.auth(owner["token"])).get_json()
    assert [p["id"] for p in first["photos"]] == ids[::-1][:PAGE_SIZE]
    assert first["next_cursor"]
    second = client.get(f"/v1/photos?cursor={first['next_cursor']}",
                        headers=api.auth(owner["token"])).get_json()
    assert [p["id"] for p in second["photos"]] == ids[::-1][PAGE_SIZE:]
    assert second["next_cursor"] is None


def test_list_shows_only_your_own_photos(api, client, owner):
    other = api.signup("bob")
    api.record(other["id"], b"bobs")
    body = client.get("/v1/photos", headers=api.auth(owner["token"])).get_json()
    assert body == {"photos": [], "next_cursor": None}


@pytest.mark.parametrize("cursor", ["garbage!", "bm9wZQ", encode_cursor(-1), "e30", "W10"])
def test_bad_cursor_is_400(api, client, owner, cursor):
    r = client.get(f"/v1/photos?cursor={cursor}", headers=api.auth(owner["token"]))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_cursor"


def test_photos_need_authentication(client):
    for method, path in (("GET", "/v1/photos"), ("GET", "/v1/photos/x"), ("PATCH", "/v1/photos/x"),
                         ("DELETE", "/v1/photos/x"), ("PUT", "/v1/me/active-photo")):
        assert client.open(path, method=method, json={}).status_code == 401


def test_someone_elses_photo_is_404_everywhere(api, client, owner):
    bob = api.signup("bob")
    pid = api.record(bob["id"], b"bobs").get_json()["id"]
    h = api.auth(owner["token"])
    assert client.get(f"/v1/photos/{pid}", headers=h).status_code == 404
    assert client.patch(f"/v1/photos/{pid}", json={"alt": "mine"}, headers=h).status_code == 404
    assert client.delete(f"/v1/photos/{pid}", headers=h).status_code == 404
    r = client.put("/v1/me/active-photo", json={"photo_id": pid}, headers=h)
    assert r.status_code == 404
    # Still bob's, untouched.
    got = client.get(f"/v1/photos/{pid}", headers=api.auth(bob["token"])).get_json()
    assert got["alt"] is None


def test_patch_changes_alt_and_rating_and_the_read_model(api, client, owner, read_model):
    pid = api.record(owner["id"], b"one", activate=True).get_json()["id"]
    r = client.patch(f"/v1/photos/{pid}", json={"alt": "at the beach", "rating": "r"},
                     headers=api.auth(owner["token"]))
    assert r.status_code == 200
    assert r.get_json()["alt"] == "at the beach" and r.get_json()["rating"] == "r"
    assert read_model.get("photo", pid)["rating"] == "r"
    assert read_model.get("user", "arpit")["photo"]["rating"] == "r"


@pytest.mark.parametrize("body,code", [({"rating": "nc17"}, "invalid_rating"),
                                       ({"alt": "x" * 1001}, "invalid_alt"),
                                       ({"alt": 5}, "invalid_alt")])
def test_patch_rejects_bad_values_and_changes_nothing(api, client, owner, body, code):
    pid = api.record(owner["id"], b"one", alt="kept").get_json()["id"]
    h = api.auth(owner["token"])
    r = client.patch(f"/v1/photos/{pid}", json=body, headers=h)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == code
    got = client.get(f"/v1/photos/{pid}", headers=h).get_json()
    assert got["alt"] == "kept" and got["rating"] == "g"


def test_active_photo_set_and_clear(api, client, owner, read_model):
    pid = api.record(owner["id"], b"one").get_json()["id"]
    h = api.auth(owner["token"])
    r = client.put("/v1/me/active-photo", json={"photo_id": pid}, headers=h)
    assert r.status_code == 200 and r.get_json() == {"active_photo_id": pid}
    assert read_model.get("user", "arpit")["photo"]["id"] == pid
    assert client.get("/v1/me", headers=h).get_json()["active_photo_id"] == pid
    r = client.put("/v1/me/active-photo", json={"photo_id": None}, headers=h)
    assert r.get_json() == {"active_photo_id": None}
    assert read_model.get("user", "arpit") == {"username": "arpit", "photo": None}


@pytest.mark.parametrize("body,status", [({"photo_id": "nosuchphoto"}, 404), ({}, 422),
                                         ({"photo_id": 7}, 422)])
def test_active_photo_bad_requests(api, client, owner, body, status):
    assert client.put("/v1/me/active-photo", json=body,
                      headers=api.auth(owner["token"])).status_code == status


def test_delete_of_the_active_photo_leaves_no_active_photo(api, client, owner, read_model, engine):
    pid = api.record(owner["id"], b"one", activate=True).get_json()["id"]
    h = api.auth(owner["token"])
    assert client.delete(f"/v1/photos/{pid}", headers=h).status_code == 204
    assert client.get(f"/v1/photos/{pid}", headers=h).status_code == 404
    assert client.get("/v1/me", headers=h).get_json()["active_photo_id"] is None
    assert read_model.get("photo", pid) == {"missing": True}
    assert read_model.get("user", "arpit") == {"username": "arpit", "photo": None}
    with engine.connect() as conn:  # the image stays: its blobs may be shared
        assert conn.exec_driver_sql("SELECT count(*) FROM images").scalar_one() == 1
    assert client.delete(f"/v1/photos/{pid}", headers=h).status_code == 404
