"""rm:email:<md5|sha256>: the same shape as the user entry, with the address's own photo when
it has one, and rewritten by everything that changes what it shows."""
import hashlib

import pytest

from services.metadata.relay.results import ResultsConsumer
from shared.images import VARIANTS

ADDRESS = "arpit@example.com"
MD5 = hashlib.md5(ADDRESS.encode()).hexdigest()
SHA256 = hashlib.sha256(ADDRESS.encode()).hexdigest()
OTHER = "work@example.com"
OTHER_MD5 = hashlib.md5(OTHER.encode()).hexdigest()


@pytest.fixture
def arpit(api, mailbox, clock, settings):
    """A user with an active photo, ADDRESS verified (shows the active photo) and OTHER
    verified showing its own photo."""
    user = api.signup("arpit")
    user["active"] = api.record(user["id"], b"active", activate=True).get_json()["id"]
    user["own"] = api.record(user["id"], b"own").get_json()["id"]
    api.verified(user["token"], ADDRESS, mailbox)
    clock.advance(settings.email_resend_interval)
    api.verified(user["token"], OTHER, mailbox)
    r = api.client.put(f"/v1/me/emails/{OTHER}", json={"photo_id": user["own"]},
                       headers=api.auth(user["token"]))
    assert r.status_code == 200
    return user


def shown(read_model, digest):
    entry = read_model.get("email", digest)
    return entry["photo"] and entry["photo"]["id"]


def test_the_entry_is_the_user_entry_with_the_addresses_photo(arpit, read_model):
    user_entry = read_model.get("user", "arpit")
    assert read_model.get("email", MD5) == user_entry == read_model.get("email", SHA256)
    own = read_model.get("email", OTHER_MD5)
    assert own["username"] == "arpit" and own["photo"]["id"] == arpit["own"]
    assert set(own["photo"]) == set(user_entry["photo"])  # a PhotoView, like the user's


def test_changing_the_active_photo_rewrites_addresses_that_show_it(api, client, arpit, read_model):
    new = api.record(arpit["id"], b"new").get_json()["id"]
    client.put("/v1/me/active-photo", json={"photo_id": new}, headers=api.auth(arpit["token"]))
    assert shown(read_model, MD5) == shown(read_model, SHA256) == new
    assert shown(read_model, OTHER_MD5) == arpit["own"]  # has its own photo
    client.put("/v1/me/active-photo", json={"photo_id": None}, headers=api.auth(arpit["token"]))
    assert read_model.get("email", MD5) == {"username": "arpit", "photo": None}


def test_recording_an_activated_photo_rewrites_the_addresses(api, arpit, read_model):
    new = api.record(arpit["id"], b"new", activate=True).get_json()["id"]
    assert shown(read_model, SHA256) == new


def test_deleting_a_photo_rewrites_the_addresses(api, client, arpit, read_model):
    h = api.auth(arpit["token"])
    # The address's own photo: back to the active photo.
    assert client.delete(f"/v1/photos/{arpit['own']}", headers=h).status_code == 204
    assert shown(read_model, OTHER_MD5) == arpit["active"]
    # The active photo: nothing to show.
    assert client.delete(f"/v1/photos/{arpit['active']}", headers=h).status_code == 204
    assert shown(read_model, MD5) is None and shown(read_model, OTHER_MD5) is None


def test_a_rating_change_rewrites_the_addresses(api, client, arpit, read_model):
    h = api.auth(arpit["token"])
    client.patch(f"/v1/photos/{arpit['own']}", json={"rating": "x"}, headers=h)
    assert read_model.get("email", OTHER_MD5)["photo"]["rating"] == "x"
    client.patch(f"/v1/photos/{arpit['active']}", json={"rating": "pg"}, headers=h)
    assert read_model.get("email", SHA256)["photo"]["rating"] == "pg"


@pytest.mark.parametrize("which,digest", [("active", MD5), ("active", SHA256), ("own", OTHER_MD5)])
def test_recorded_variants_rewrite_the_addresses(app, engine, arpit, read_model, which, digest):
    sha = hashlib.sha256(b"active" if which == "active" else b"own").hexdigest()
    consumer = ResultsConsumer(engine)
    consumer.handle({"sha256": sha, "variants": [
        {"name": n, "fmt": "webp", "width": w, "height": w, "bytes": 10}
        for n, w in VARIANTS.items()]})
    assert read_model.get("email", digest)["photo"]["variants"] == {n: ["webp"] for n in VARIANTS}


def test_a_lost_entry_is_rebuilt_from_the_database(api, arpit, cache, read_model):
    cache._data.clear()
    r = api.internal("GET", f"/internal/read-model/email/{OTHER_MD5}")
    assert r.get_json()["photo"]["id"] == arpit["own"]
    assert read_model.get("email", OTHER_MD5) == r.get_json()


def test_a_lookup_writes_a_negative_entry_that_verifying_overwrites(api, mailbox, read_model):
    for digest in (MD5, SHA256):
        r = api.internal("GET", f"/internal/read-model/email/{digest}")
        assert r.get_json() == {"missing": True}
        assert read_model.get("email", digest) == {"missing": True}
    api.signup("arpit", email=ADDRESS)
    assert read_model.get("email", MD5) == {"missing": True}  # unverified: still nothing
    api.click(mailbox.links()[0])
    assert read_model.get("email", MD5) == read_model.get("email", SHA256) == {
        "username": "arpit", "photo": None}


@pytest.mark.parametrize("name", ["not-a-hash", "a" * 31, "g" * 32, "a" * 40, ADDRESS])
def test_a_lookup_of_something_that_is_no_hash_is_missing_and_writes_nothing(api, read_model,
                                                                             name):
    r = api.internal("GET", f"/internal/read-model/email/{name}")
    assert r.status_code == 200 and r.get_json() == {"missing": True}
    assert read_model.get("email", name.lower()) is None


def test_an_unverified_claim_never_resolves(api, client, mailbox, read_model):
    user = api.signup("arpit", email=ADDRESS)
    api.record(user["id"], b"one", activate=True)
    for digest in (MD5, SHA256):
        r = api.internal("GET", f"/internal/read-model/email/{digest}")
        assert r.get_json() == {"missing": True}
