"""PUT /v1/photos/<id>/transform: an edit makes a new photo from the original, processed
like any upload (its variants appear); the original stays; bad edits are 422."""
import pytest

from .images import BLUE, RED, close_to, decode, png


def halves(size=(200, 100)) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", size, RED)
    img.paste(Image.new("RGB", (size[0] // 2, size[1]), BLUE), (size[0] // 2, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_crop_turn_and_resize_make_a_new_ready_photo(user, anonymous):
    source = user.upload_ok(halves(), filename="h.png", ctype="image/png")
    r = user.request("PUT", f"/v1/photos/{source['id']}/transform",
                     json={"crop": {"x": 100, "y": 0, "width": 100, "height": 100},
                           "rotate": 270, "flip": True, "resizeWidth": 64})
    assert r.status_code == 201, r.text
    edit = r.json()
    assert edit["source_id"] == source["id"] and edit["id"] != source["id"]
    assert (edit["width"], edit["height"]) == (64, 64)
    ready = user.wait_ready(edit["id"])  # the resizer made its variants, as for an upload
    assert all(ready["variants"].values())
    img = decode(anonymous.get(f"/i/{edit['id']}?size=original").content)
    assert img.size == (64, 64) and close_to(img, BLUE)
    original = decode(anonymous.get(f"/i/{source['id']}?size=original").content)
    assert original.size == (200, 100)


@pytest.mark.parametrize("edit", [
    {"crop": {"x": 150, "y": 0, "width": 100, "height": 10}},
    {"crop": {"x": 0, "y": 0, "width": 0, "height": 10}},
    {},
    {"rotate": 45},
])
def test_bad_edits_are_422(user, edit):
    source = user.upload_ok(png(RED, (60, 40)), filename="r.png", ctype="image/png")
    r = user.request("PUT", f"/v1/photos/{source['id']}/transform", json=edit)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"]
    assert len(user.get("/v1/photos").json()["photos"]) == 1


def test_someone_elses_photo_cannot_be_edited(user, other_user):
    source = user.upload_ok(png(RED, (20, 20)), filename="r.png", ctype="image/png")
    r = other_user.request("PUT", f"/v1/photos/{source['id']}/transform", json={"flip": True})
    assert r.status_code == 404
