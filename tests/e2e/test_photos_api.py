"""Managing photos: the list with cursor pagination, and editing alt text and rating."""
from .images import jpeg


def test_list_is_newest_first_with_cursor_pagination(user):
    # More than one page (the API pages by 20); tiny pictures keep the resizing cheap.
    uploaded = [user.upload_ok(jpeg((10 * i, 100, 250 - 10 * i), size=(24, 16)))["id"]
                for i in range(23)]
    seen, cursor, pages = [], None, 0
    while True:
        r = user.get("/v1/photos", params={"cursor": cursor} if cursor else {})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["photos"], "an empty page with a cursor before it"
        seen += [p["id"] for p in body["photos"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
        assert pages < 30, "the cursor never ends"
    assert pages >= 2
    assert seen == list(reversed(uploaded))
    r = user.get("/v1/photos", params={"cursor": "not-a-cursor!"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_cursor", r.text


def test_patch_alt_and_rating(user):
    photo = user.upload_ok(jpeg((10, 10, 10)), alt="before")
    assert photo["alt"] == "before" and photo["rating"] == "g"
    r = user.request("PATCH", f"/v1/photos/{photo['id']}", json={"alt": "a dark square", "rating": "pg"})
    assert r.status_code == 200, r.text
    assert r.json()["alt"] == "a dark square" and r.json()["rating"] == "pg"
    again = user.get(f"/v1/photos/{photo['id']}").json()
    assert again["alt"] == "a dark square" and again["rating"] == "pg"
    r = user.request("PATCH", f"/v1/photos/{photo['id']}", json={"rating": "nc-17"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_rating", r.text
