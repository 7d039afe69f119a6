"""Photo lifetimes: expires_in / expires_at at upload and by PATCH, MAX_PHOTO_LIFETIME, and
the expiry sweep (the photo goes like a DELETE, its link keeps answering 410)."""
import dataclasses
from datetime import datetime, timedelta

import pytest

from services.metadata.app import create_app
from services.metadata.photos.expiry import ExpirySweeper
from tests.fakeclock import Clock
from tests.metadata_api import Api


def test_upload_expiry_is_recorded_and_shown(api, clock):
    user = api.signup()
    when = (clock.now + timedelta(hours=1)).replace(microsecond=0)
    r = api.record(user["id"], data=b"a", expires_at=when.isoformat())
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["expires_at"] == when.isoformat().replace("+00:00", "Z")
    assert api.record(user["id"], data=b"b").get_json()["expires_at"] is None


@pytest.mark.parametrize("bad", ["yesterday", "2001-01-01T00:00:00Z", "2030-01-01T00:00:00", 5])
def test_bad_upload_expiry_is_422(api, bad):
    user = api.signup()
    r = api.record(user["id"], data=b"a", expires_at=bad)
    assert r.status_code == 422 and r.get_json()["error"]["code"] in ("invalid_expiry",
                                                                       "invalid_request")


def test_patch_sets_and_clears_the_expiry(api):
    user = api.signup()
    pid = api.record(user["id"], data=b"a").get_json()["id"]
    auth = api.auth(user["token"])
    r = api.client.patch(f"/v1/photos/{pid}", headers=auth, json={"expires_in": 3600})
    assert r.status_code == 200 and r.get_json()["expires_at"] is not None
    r = api.client.patch(f"/v1/photos/{pid}", headers=auth, json={"expires_at": None})
    assert r.status_code == 200 and r.get_json()["expires_at"] is None
    r = api.client.patch(f"/v1/photos/{pid}", headers=auth,
                         json={"expires_in": 10, "expires_at": "2040-01-01T00:00:00Z"})
    assert r.status_code == 422


def test_max_lifetime_caps_every_photo(settings, engine, cache, mailbox):
    app = create_app(dataclasses.replace(settings, max_photo_lifetime=86400), cache=cache,
                     mailer=mailbox)
    api = Api(app.test_client())
    user = api.signup()
    photo = api.record(user["id"], data=b"a").get_json()
    created = datetime.fromisoformat(photo["created_at"])
    assert datetime.fromisoformat(photo["expires_at"]) - created <= timedelta(days=1, seconds=1)
    r = api.client.patch(f"/v1/photos/{photo['id']}", headers=api.auth(user["token"]),
                         json={"expires_at": None})
    assert datetime.fromisoformat(r.get_json()["expires_at"]) - created <= timedelta(days=1, seconds=1)


def test_the_sweep_deletes_expired_photos_and_leaves_a_410_tombstone(api, app, cache, read_model,
                                                                   clock):
    user = api.signup("arpit")
    soon = (clock.now + timedelta(seconds=60)).isoformat()
    pid = api.record(user["id"], data=b"a", expires_at=soon, activate=True).get_json()["id"]
    keep = api.record(user["id"], data=b"b").get_json()["id"]
    engine = app.extensions["onepic_metadata"].engine
    assert ExpirySweeper(engine, clock=clock).sweep_once() == 0  # not yet
    later = Clock(clock.now + timedelta(seconds=61))
    assert ExpirySweeper(engine, clock=later).sweep_once() == 1
    auth = api.auth(user["token"])
    assert api.client.get(f"/v1/photos/{pid}", headers=auth).status_code == 404
    assert api.client.get(f"/v1/photos/{keep}", headers=auth).status_code == 200
    assert api.client.get("/v1/me", headers=auth).get_json()["active_photo_id"] is None
    assert read_model.get("photo", pid) == {"id": pid, "gone": True}
    assert read_model.get("user", "arpit")["photo"] is None
    # A flushed cache is rebuilt the same way (the tombstone is in the database).
    cache.delete(f"rm:photo:{pid}")
    r = api.internal("GET", f"/internal/read-model/photo/{pid}")
    assert r.get_json() == {"id": pid, "gone": True}
