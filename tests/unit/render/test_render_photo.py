"""/i/<photo id>: named sizes, boxes, the original, and where the pixels come from."""
import pytest

from tests import imagefactory as f

RED, GREEN = (200, 40, 40), (40, 160, 80)
IMMUTABLE = "public, max-age=31536000, immutable"


def dims(r):
    image = f.decode(r.data)
    return image.width, image.height


@pytest.fixture
def wide(world):
    """A 2000x1000 red original whose stored variants are drawn green."""
    world.add_photo("wide", f.solid_jpeg(2000, 1000, RED),
                    variants=("thumbnail", "small", "medium", "large"), variant_rgb=GREEN)
    return world


@pytest.mark.parametrize("qs, size, colour, cache_control", [
    ("", (1024, 512), GREEN, "public, max-age=300"),
    ("?size=thumbnail", (128, 64), GREEN, IMMUTABLE),
    ("?size=medium", (512, 256), GREEN, IMMUTABLE),
    ("?w=200", (200, 100), GREEN, IMMUTABLE),           # from small (256x128)
    ("?h=600", (1200, 600), RED, IMMUTABLE),           # bigger than large: the original
    ("?w=300&h=300&fit=cover", (300, 300), GREEN, IMMUTABLE),
    ("?w=9999", (2000, 1000), RED, IMMUTABLE),          # clamped to 2048, contain never enlarges
    ("?size=original", (2000, 1000), RED, IMMUTABLE),
])
def test_sizes_and_their_sources(wide, qs, size, colour, cache_control):
    r = wide.get("/i/wide" + qs)
    assert r.status_code == 200 and dims(r) == size
    assert f.close(f.mean_colour(r.data), colour, 8)
    assert r.headers["Cache-Control"] == cache_control


def test_before_variants_exist_everything_renders_from_the_original(world):
    world.add_photo("fresh", f.solid_jpeg(900, 600, RED))
    for qs, size in (("", (900, 600)), ("?size=small", (256, 171)), ("?w=90&h=90&fit=cover", (90, 90))):
        r = world.get("/i/fresh" + qs)
        assert dims(r) == size and f.close(f.mean_colour(r.data), RED)


def test_missing_variant_blob_falls_back_to_the_original(world):
    world.add_photo("gap", f.solid_jpeg(2000, 1000, RED), variants=("small", "large"),
                    variant_rgb=GREEN, only_in_read_model=("large",))
    r = world.get("/i/gap?size=large")
    assert dims(r) == (1024, 512) and f.close(f.mean_colour(r.data), RED)
    assert f.close(f.mean_colour(world.get("/i/gap?size=small").data), GREEN)


def test_a_missing_variant_is_looked_for_once_then_served_from_the_byte_cache(world):
    world.add_photo("gap", f.solid_jpeg(2000, 1000, RED), variants=("large",),
                    variant_rgb=GREEN, only_in_read_model=("large",))
    first = world.get("/i/gap?size=large")
    gets = []
    real_get = world.blobs.get
    world.blobs.get = lambda key: gets.append(key) or real_get(key)
    again = world.get("/i/gap?size=large")
    assert gets == []                                   # neither the gap nor the original
    assert again.headers["ETag"] == first.headers["ETag"]
    assert world.get("/i/gap?size=large", If_None_Match=first.headers["ETag"]).status_code == 304


def test_original_is_sanitized_and_upright(world):
    # Stored pixels 60x40 red|blue, tagged "rotate 90° clockwise" and carrying EXIF/XMP.
    tagged = f.with_orientation(f.halves_jpeg(60, 40), 6)
    assert f.metadata_fields(tagged)
    world.add_photo("exif", tagged)
    for qs in ("?size=original", "?size=thumbnail", "?w=30"):
        r = world.get("/i/exif" + qs)
        image = f.decode(r.data)
        assert image.height > image.width, qs            # rotated
        assert f.metadata_fields(r.data) == [], qs
        assert f.close(f.mean_colour(image, (0, 0, image.width, 5)), (255, 0, 0), 20), qs


def test_variant_passthrough_in_each_stored_format(wide):
    for url, accept, fmt in (("/i/wide.webp?size=small", "", "webp"),
                             ("/i/wide?size=small", "image/webp", "webp"),
                             ("/i/wide?size=small", "", "jpeg"),
                             ("/i/wide.png?size=small", "", "png")):
        r = wide.get(url, Accept=accept)
        assert f.loader(r.data) == fmt and dims(r) == (256, 128)
        assert f.close(f.mean_colour(r.data), GREEN, 8)


@pytest.mark.parametrize("url, status, code", [
    ("/i/nope", 404, "not_found"),
    ("/i/wide.gif", 404, "not_found"),
    ("/i/wide/extra", 404, "not_found"),
    ("/i/", 404, "not_found"),
    ("/i/wide?size=huge", 400, "invalid_size"),
    ("/i/wide?w=wide", 400, "invalid_dimension"),
    ("/i/wide?w=10&fit=fill", 400, "invalid_fit"),
])
def test_bad_requests_get_json_errors(wide, url, status, code):
    r = wide.get(url)
    assert r.status_code == status
    assert r.headers["Content-Type"] == "application/json"
    assert r.get_json()["error"]["code"] == code and r.get_json()["error"]["message"]


def test_etag_names_the_bytes(wide):
    a, b = wide.get("/i/wide?w=100"), wide.get("/i/wide?w=100", Accept="image/webp")
    assert a.headers["ETag"] != b.headers["ETag"]
    assert wide.get("/i/wide?w=100").headers["ETag"] == a.headers["ETag"]
    r = wide.get("/i/wide?w=100", **{"If-None-Match": a.headers["ETag"]})
    assert r.status_code == 304 and r.headers["Cache-Control"] == IMMUTABLE


def test_the_large_webp_is_made_from_the_large_variant_on_first_request_and_kept(wide,
                                                                                  monkeypatch):
    # The resizer stores no 1024 px WebP (WEBP_STORED_UP_TO): render makes it from the stored
    # large JPEG (green), not from the original (red), and its byte cache keeps it.
    first = wide.get("/i/wide?size=large", Accept="image/webp")
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/webp"
    assert dims(first) == (1024, 512) and f.close(f.mean_colour(first.data), GREEN, 8)

    def boom(*a, **k):
        raise AssertionError("made again")

    monkeypatch.setattr("shared.images.transform.render", boom)
    again = wide.get("/i/wide?size=large", Accept="image/webp")
    assert again.status_code == 200 and dims(again) == (1024, 512)
