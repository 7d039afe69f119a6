import pytest

from shared.images import VARIANTS, WEBP_STORED_UP_TO, ImageRejected
from shared.images.variants import make_variants
from tests import imagefactory as f

RED = (200, 40, 40)


def by_key(variants):
    return {(v.name, v.fmt): v for v in variants}


def test_every_variant_in_jpeg_only_at_its_size():
    variants = by_key(make_variants(f.solid_jpeg(2000, 1000, RED)))
    # WebP is made by render on first request (shared/images WEBP_STORED_UP_TO).
    assert WEBP_STORED_UP_TO == 0
    assert set(variants) == {(n, "jpeg") for n in VARIANTS}
    for (name, fmt), v in variants.items():
        side = VARIANTS[name]
        assert (v.width, v.height) == (side, side // 2)
        image = f.decode(v.data)
        assert (image.width, image.height) == (v.width, v.height)
        assert f.loader(v.data) == fmt
        assert f.close(f.mean_colour(v.data), RED)


def test_small_original_is_never_enlarged():
    variants = make_variants(f.solid_jpeg(300, 200, RED))
    sizes = {v.name: (v.width, v.height) for v in variants}
    assert sizes == {"large": (300, 200), "medium": (300, 200), "small": (256, 171),
                     "thumbnail": (128, 85)}


def test_every_size_in_webp_too_when_asked():
    variants = by_key(make_variants(f.solid_jpeg(2000, 1000, RED), webp_up_to=max(VARIANTS.values())))
    assert set(variants) == {(n, fmt) for n in VARIANTS for fmt in ("jpeg", "webp")}


def test_alpha_gives_png_and_webp_and_keeps_transparency():
    data = f.solid_png(600, 600, (10, 200, 30, 100))
    assert {fmt for _, fmt in by_key(make_variants(data))} == {"png"}
    variants = by_key(make_variants(data, webp_up_to=max(VARIANTS.values())))
    assert {fmt for _, fmt in variants} == {"png", "webp"}
    for (name, fmt), v in variants.items():
        image = f.decode(v.data)
        assert image.hasalpha(), (name, fmt)
        assert f.close(f.mean_colour(image), (10, 200, 30, 100))


def test_orientation_applied_to_pixels():
    # Stored 400×200, left red / right blue; orientation 6 turns it 90° clockwise to show it,
    # so the displayed image is 200×400 with red on top.
    data = f.with_orientation(f.halves_jpeg(400, 200), 6)
    large = by_key(make_variants(data))[("large", "jpeg")]
    assert (large.width, large.height) == (200, 400)
    top = f.mean_colour(large.data, (0, 0, 200, 180))
    bottom = f.mean_colour(large.data, (0, 220, 200, 180))
    assert f.close(top, (255, 0, 0), 12) and f.close(bottom, (0, 0, 255), 12)


def test_metadata_stripped_and_colour_converted_to_srgb():
    data = f.with_metadata(f.solid(300, 300, RED), "jpeg", profile="p3")
    assert set(f.metadata_fields(data)) >= {"exif-data", "xmp-data", "icc-profile-data"}
    # Read naively (no colour management), the P3 pixels are visibly not the sRGB colour ...
    assert not f.close(f.mean_colour(data), RED)
    for v in make_variants(data):
        assert f.metadata_fields(v.data) == [], (v.name, v.fmt)
        # ... while the untagged sRGB output shows the original colour again.
        assert f.close(f.mean_colour(v.data), RED), (v.name, v.fmt)


def test_animation_keeps_first_frame_only():
    variants = make_variants(f.animated_gif(64, 48, 3))
    for v in variants:
        image = f.decode(v.data)
        assert (image.width, image.height) == (64, 48)
        assert image.get_n_pages() == 1
        assert f.close(f.mean_colour(image)[:3], (255, 0, 0))


def test_same_input_gives_same_pixels():
    data = f.halves_jpeg(500, 300)
    first, second = make_variants(data), make_variants(data)
    assert [(v.name, v.fmt, v.width, v.height) for v in first] == \
           [(v.name, v.fmt, v.width, v.height) for v in second]
    for a, b in zip(first, second):
        assert (f.decode(a.data) - f.decode(b.data)).abs().max() == 0


def test_corrupt_original_is_rejected():
    with pytest.raises(ImageRejected) as caught:
        make_variants(f.solid_jpeg(200, 200)[:300])
    assert caught.value.code == "corrupt_image"
