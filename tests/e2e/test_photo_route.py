"""The shareable link /i/<id>: named sizes, arbitrary boxes, and the HTTP caching headers."""
from .images import RED, close_to, decode, jpeg, mean_rgb


def test_named_size_and_boxes(user, anonymous):
    photo = user.upload_ok(jpeg(RED))
    # Until the variants exist the original is served (sanitized), never a broken image.
    r = anonymous.get(f"/i/{photo['id']}", params={"size": "small"})
    assert r.status_code == 200 and close_to(decode(r.content), RED)

    ready = user.wait_ready(photo["id"])
    assert all(ready["variants"][name] for name in ("thumbnail", "small", "medium", "large"))

    r = anonymous.get(f"/i/{photo['id']}", params={"size": "small"})
    assert r.status_code == 200
    img = decode(r.content)
    assert max(img.size) == 256 and abs(img.size[1] - 256 * 400 / 600) <= 1, img.size
    assert close_to(img, RED), mean_rgb(img)

    img = decode(anonymous.get(f"/i/{photo['id']}", params={"w": 100, "h": 100, "fit": "cover"}).content)
    assert img.size == (100, 100) and close_to(img, RED)

    img = decode(anonymous.get(f"/i/{photo['id']}", params={"w": 100}).content)
    assert img.size[0] == 100 and abs(img.size[1] - 67) <= 1, img.size

    img = decode(anonymous.get(f"/i/{photo['id']}.png", params={"size": "thumbnail"}).content)
    assert img.format == "PNG" and max(img.size) == 128


def test_caching_headers_etag_and_head(user, anonymous):
    photo = user.upload_ok(jpeg(RED), activate="true")
    user.wait_ready(photo["id"])
    path = f"/i/{photo['id']}"
    r = anonymous.get(path, params={"size": "small"})
    assert r.status_code == 200
    etag = r.headers["ETag"]
    assert etag.startswith('"'), etag  # strong
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Access-Control-Allow-Origin"] == "*"

    r304 = anonymous.get(path, params={"size": "small"}, headers={"If-None-Match": etag})
    assert r304.status_code == 304 and r304.content == b""

    head = anonymous.request("HEAD", path, params={"size": "small"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == etag
    assert head.headers["Content-Type"] == r.headers["Content-Type"]

    avatar = anonymous.get(f"/{user.username}", params={"s": 48})
    assert avatar.headers["Cache-Control"] == "public, max-age=300"
    assert avatar.headers["X-Content-Type-Options"] == "nosniff"
    assert avatar.headers["Access-Control-Allow-Origin"] == "*"
    assert anonymous.get(f"/{user.username}", params={"s": 48},
                         headers={"If-None-Match": avatar.headers["ETag"]}).status_code == 304


def test_format_negotiation(user, anonymous):
    photo = user.upload_ok(jpeg(RED))
    path = f"/i/{photo['id']}"
    webp = anonymous.get(path, params={"size": "thumbnail"}, headers={"Accept": "image/webp,*/*"})
    assert webp.headers["Content-Type"] == "image/webp"
    assert "accept" in webp.headers.get("Vary", "").lower()
    assert decode(webp.content).format == "WEBP"
    plain = anonymous.get(path, params={"size": "thumbnail"}, headers={"Accept": "image/jpeg"})
    assert plain.headers["Content-Type"] == "image/jpeg"
    assert "accept" in plain.headers.get("Vary", "").lower()
    assert webp.headers["ETag"] != plain.headers["ETag"]
    explicit = anonymous.get(path + ".jpg", params={"size": "thumbnail"},
                             headers={"Accept": "image/webp"})
    assert explicit.headers["Content-Type"] == "image/jpeg"
    assert close_to(decode(explicit.content), RED)


def test_unknown_photo_is_404(anonymous):
    assert anonymous.get("/i/does-not-exist").status_code == 404
