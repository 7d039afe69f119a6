"""PUT /v1/photos/<id>/transform through the standalone origin (real metadata on SQLite, real
upload app on file blobs): the edit is a new photo derived from the original, which stays."""
from datetime import UTC, datetime

import pytest

from tests import imagefactory as f
from tests.direct_uploads import System, cheap_kdf  # noqa: F401 - fixture
from tests.fakeclock import Clock

RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.fixture
def system(tmp_path):
    s = System(tmp_path, Clock(datetime.now(UTC)))
    yield s
    s.engine.dispose()


def upload(system, auth, data, ctype="image/png", **query) -> dict:
    r = system.client.post("/v1/photos", data=data, query_string=query,
                           headers={**auth, "Content-Type": ctype})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def transform(system, auth, photo_id, **edit):
    return system.client.put(f"/v1/photos/{photo_id}/transform", headers=auth, json=edit)


def test_an_edit_is_a_new_photo_and_the_original_stays(system):
    auth = system.sign_up()
    source = upload(system, auth, f.encode(f.halves(200, 100, RED, BLUE), "png"),
                    alt="two halves", rating="pg")
    r = transform(system, auth, source["id"], crop={"x": 100, "y": 0, "width": 100,
                                                    "height": 100}, rotate=90, resizeWidth=50)
    assert r.status_code == 201, r.get_json()
    edit = r.get_json()
    assert edit["id"] != source["id"] and edit["source_id"] == source["id"]
    assert (edit["width"], edit["height"], edit["format"]) == (50, 50, "png")
    assert (edit["alt"], edit["rating"]) == ("two halves", "pg")
    pixels = system.blobs.get(f"originals/{edit['sha256']}")
    assert f.close(f.mean_colour(pixels), BLUE)
    again = system.client.get(f"/v1/photos/{source['id']}", headers=auth).get_json()
    assert (again["width"], again["height"], again["sha256"]) == (200, 100, source["sha256"])
    assert again["source_id"] is None
    listed = system.client.get("/v1/photos", headers=auth).get_json()["photos"]
    assert {p["id"] for p in listed} == {source["id"], edit["id"]}


@pytest.mark.parametrize("edit,code", [
    ({}, "empty_edit"),
    ({"rotate": 0, "flip": False}, "empty_edit"),
    ({"crop": {"x": 150, "y": 0, "width": 51, "height": 10}}, "crop_outside_image"),
    ({"crop": {"x": 0, "y": 0, "width": 0, "height": 10}}, "invalid_edit"),
    ({"crop": {"x": -1, "y": 0, "width": 5, "height": 5}}, "invalid_edit"),
    ({"crop": {"x": 0, "y": 0}}, "invalid_edit"),
    ({"rotate": 45}, "invalid_edit"),
    ({"rotate": True}, "invalid_edit"),
    ({"flip": "yes"}, "invalid_edit"),
    ({"resizeWidth": 0}, "invalid_edit"),
    ({"resizeHeight": 99999}, "invalid_edit"),
    ({"blur": 3}, "invalid_edit"),
    ({"resizeWidth": 16384, "resizeHeight": 16384}, "too_many_pixels"),  # > MAX_PIXELS
])
def test_bad_edits_are_422_and_make_nothing(system, edit, code):
    auth = system.sign_up()
    source = upload(system, auth, f.encode(f.halves(200, 100, RED, BLUE), "png"))
    r = transform(system, auth, source["id"], **edit)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["code"] == code
    assert len(system.client.get("/v1/photos", headers=auth).get_json()["photos"]) == 1


def test_someone_elses_photo_is_404(system):
    alice, bob = system.sign_up("alice"), system.sign_up("bob")
    source = upload(system, alice, f.solid_png(20, 20))
    assert transform(system, bob, source["id"], flip=True).status_code == 404
    assert transform(system, alice, "nope", flip=True).status_code == 404
    assert transform(system, {}, source["id"], flip=True).status_code == 401


def test_not_json_is_400(system):
    auth = system.sign_up()
    source = upload(system, auth, f.solid_png(20, 20))
    r = system.client.put(f"/v1/photos/{source['id']}/transform", headers=auth, data="flip")
    assert r.status_code == 400
