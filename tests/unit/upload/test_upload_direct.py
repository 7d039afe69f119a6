"""Presigned direct uploads as standalone runs them: the real metadata app (SQLite), the real
upload app on file blobs, behind the standalone origin, so the signed form is the origin's
own (services/upload/signing.py). The same flow against SeaweedFS is in
tests/integration/test_direct_uploads_s3.py."""
from datetime import UTC, datetime, timedelta

import pytest

from services.metadata.uploads.sweep import UploadSweeper
from tests.direct_uploads import CAP, ORIGIN, System, cheap_kdf  # noqa: F401 - fixture
from tests.fakeclock import Clock
from tests.imagefactory import solid_jpeg


@pytest.fixture
def clock():
    return Clock(datetime.now(UTC))


@pytest.fixture
def system(tmp_path, clock):
    s = System(tmp_path, clock)
    yield s
    s.engine.dispose()


def test_ticket_send_complete_records_the_photo(system):
    auth = system.sign_up()
    data = solid_jpeg(64, 48)
    r = system.ticket(auth, len(data))
    assert r.status_code == 201
    ticket = r.get_json()
    assert set(ticket) == {"id", "url", "fields", "expires_at"}
    assert ticket["url"] == f"{ORIGIN}/v1/uploads/form"
    assert system.send(ticket, data).status_code == 204
    assert system.staged(ticket)

    r = system.complete(auth, ticket["id"], alt="a red box", activate=True)
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert (photo["width"], photo["height"], photo["alt"]) == (64, 48, "a red box")
    assert system.blobs.exists(f"originals/{photo['sha256']}")
    assert not system.staged(ticket)  # moved to its content address
    me = system.client.get("/v1/me", headers=auth).get_json()
    assert me["active_photo_id"] == photo["id"]
    # A ticket is used once.
    assert system.complete(auth, ticket["id"]).status_code == 404


def test_same_bytes_again_answer_the_existing_photo(system):
    auth = system.sign_up()
    data = solid_jpeg(32, 32)
    first = system.client.post("/v1/photos", data=data, headers={**auth,
                                                                "Content-Type": "image/jpeg"})
    ticket = system.ticket(auth, len(data)).get_json()
    system.send(ticket, data)
    again = system.complete(auth, ticket["id"])
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]


def test_more_than_declared_is_refused_by_the_form_and_nothing_is_stored(system):
    auth = system.sign_up()
    data = solid_jpeg(64, 48)
    ticket = system.ticket(auth, len(data) - 1).get_json()
    r = system.send(ticket, data)
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "payload_too_large"
    assert not system.staged(ticket)


@pytest.mark.parametrize("override,code", [
    ({"Content-Type": "image/png"}, "policy_mismatch"),
    ({"key": "originals/" + "0" * 64}, "policy_mismatch"),
    ({"signature": "0" * 64}, "invalid_signature"),
])
def test_a_form_changed_after_signing_is_refused(system, override, code):
    auth = system.sign_up()
    data = solid_jpeg(16, 16)
    ticket = system.ticket(auth, len(data)).get_json()
    r = system.send(ticket, data, **override)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == code
    assert not system.blobs.exists(override.get("key", ticket["fields"]["key"]))


def test_a_non_image_is_refused_at_completion_and_its_object_deleted(system):
    auth = system.sign_up()
    ticket = system.ticket(auth, 100).get_json()
    assert system.send(ticket, b"<svg xmlns='http://www.w3.org/2000/svg'/>").status_code == 204
    r = system.complete(auth, ticket["id"])
    assert r.status_code == 415
    assert not system.staged(ticket)
    assert system.complete(auth, ticket["id"]).status_code == 404  # the ticket went too
    assert system.client.get("/v1/photos", headers=auth).get_json()["photos"] == []


def test_a_corrupt_image_is_422_and_deleted(system):
    auth = system.sign_up()
    data = solid_jpeg(64, 64)[:200]  # a JPEG header, then nothing
    ticket = system.ticket(auth, len(data)).get_json()
    system.send(ticket, data)
    assert system.complete(auth, ticket["id"]).status_code == 422
    assert not system.staged(ticket)


def test_completing_before_sending_is_409_and_keeps_the_ticket(system):
    auth = system.sign_up()
    data = solid_jpeg(16, 16)
    ticket = system.ticket(auth, len(data)).get_json()
    r = system.complete(auth, ticket["id"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "upload_not_received"
    system.send(ticket, data)
    assert system.complete(auth, ticket["id"]).status_code == 201


def test_another_users_ticket_is_not_found(system):
    alice, bob = system.sign_up("alice"), system.sign_up("bob")
    data = solid_jpeg(16, 16)
    ticket = system.ticket(alice, len(data)).get_json()
    system.send(ticket, data)
    assert system.complete(bob, ticket["id"]).status_code == 404
    assert system.staged(ticket)  # still alice's to complete


def test_an_expired_ticket_is_410_and_its_object_deleted(system, clock):
    auth = system.sign_up()
    data = solid_jpeg(16, 16)
    clock.now = datetime.now(UTC) - timedelta(seconds=61)  # issued 61 s ago, ttl 60
    ticket = system.ticket(auth, len(data)).get_json()
    system.blobs.put(ticket["fields"]["key"], data)  # as if sent in time
    r = system.complete(auth, ticket["id"])
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "upload_expired"
    assert not system.staged(ticket)


def test_the_sweep_removes_expired_tickets_and_their_objects_only(system, clock):
    auth = system.sign_up()
    old = system.ticket(auth, 10).get_json()
    clock.advance(30)
    fresh = system.ticket(auth, 10).get_json()
    for t in (old, fresh):
        system.blobs.put(t["fields"]["key"], b"waiting")
    later = Clock(clock.now + timedelta(seconds=45))  # old expired, fresh has 15 s left
    assert UploadSweeper(system.engine, system.blobs, clock=later).sweep_once() == 1
    assert not system.staged(old) and system.staged(fresh)
    assert system.complete(auth, old["id"]).status_code == 404


@pytest.mark.parametrize("body,status,code", [
    ({"content_type": "image/svg+xml", "bytes": 10}, 415, "unsupported_media_type"),
    ({"content_type": "image/jpeg", "bytes": 0}, 422, "invalid_bytes"),
    ({"content_type": "image/jpeg", "bytes": "10"}, 422, "invalid_bytes"),
    ({"content_type": "image/jpeg", "bytes": True}, 422, "invalid_bytes"),
    ({"content_type": "image/jpeg", "bytes": CAP + 1}, 413, "payload_too_large"),
])
def test_bad_ticket_requests(system, body, status, code):
    r = system.client.post("/v1/uploads", headers=system.sign_up(), json=body)
    assert r.status_code == status and r.get_json()["error"]["code"] == code


def test_tickets_need_a_token(system):
    assert system.ticket({}, 10).status_code == 401
    assert system.client.post("/v1/uploads/up_x/complete").status_code == 401


def test_bad_completion_fields_are_422(system):
    auth = system.sign_up()
    ticket = system.ticket(auth, 10).get_json()
    assert system.complete(auth, ticket["id"], rating="nc17").status_code == 422
    assert system.complete(auth, ticket["id"], alt=5).status_code == 422
