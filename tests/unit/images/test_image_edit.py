"""shared/images/edit.py: crop, turn, mirror, resize, checked by pixels (a picture whose left
half is red and right half blue shows where each step moved things)."""
import pytest

from shared.images import ImageRejected
from shared.images.edit import Edit, apply, result_size
from tests import imagefactory as f

RED, BLUE = (255, 0, 0), (0, 0, 255)


def halves_png(w=200, h=100) -> bytes:
    return f.encode(f.halves(w, h, RED, BLUE), "png")


def test_crop_keeps_the_box():
    out, fmt = apply(halves_png(), "png", Edit(crop=(10, 10, 60, 40)))  # inside the red half
    image = f.decode(out)
    assert (fmt, image.width, image.height) == ("png", 60, 40)
    assert f.close(f.mean_colour(image), RED)


@pytest.mark.parametrize("turn,size,left", [(90, (100, 200), None), (180, (200, 100), BLUE),
                                            (270, (100, 200), None)])
def test_quarter_turns(turn, size, left):
    image = f.decode(apply(halves_png(), "png", Edit(rotate=turn))[0])
    assert (image.width, image.height) == size
    if left:
        assert f.close(f.mean_colour(image, (0, 0, 100, 100)), left)
    else:  # a quarter turn clockwise puts the left (red) half on top; 270 on the bottom
        top = f.mean_colour(image, (0, 0, 100, 100))
        assert f.close(top, RED if turn == 90 else BLUE)


def test_flip_mirrors_left_and_right():
    image = f.decode(apply(halves_png(), "png", Edit(flip=True))[0])
    assert f.close(f.mean_colour(image, (0, 0, 100, 100)), BLUE)
    assert f.close(f.mean_colour(image, (100, 0, 100, 100)), RED)


def test_resize_one_side_keeps_the_aspect_both_sides_are_exact():
    image = f.decode(apply(halves_png(), "png", Edit(width=50))[0])
    assert (image.width, image.height) == (50, 25)
    image = f.decode(apply(halves_png(), "png", Edit(width=30, height=90))[0])
    assert (image.width, image.height) == (30, 90)


def test_steps_in_order_crop_turn_flip_resize():
    edit = Edit(crop=(100, 0, 100, 50), rotate=90, flip=True, height=20)  # blue quarter
    assert result_size(edit, 200, 100) == (10, 20)
    image = f.decode(apply(halves_png(), "png", edit)[0])
    assert (image.width, image.height) == (10, 20)
    assert f.close(f.mean_colour(image), BLUE)


def test_the_box_is_in_upright_coordinates_and_the_result_is_sanitized():
    # Stored 100×200 with "rotate 90° clockwise" in EXIF: the owner sees it 200×100.
    stored = f.with_metadata(f.halves(200, 100, RED, BLUE).rot270(), "jpeg")
    tagged = f.with_orientation(stored, 6)
    out, fmt = apply(tagged, "jpeg", Edit(crop=(0, 0, 100, 100)))
    image = f.decode(out)
    assert (fmt, image.width, image.height) == ("jpeg", 100, 100)
    assert f.close(f.mean_colour(image), RED, tolerance=12)
    assert f.metadata_fields(out) == []


def test_gif_edits_come_out_as_png():
    out, fmt = apply(f.solid_gif(20, 20), "gif", Edit(flip=True))
    assert fmt == "png" and f.loader(out) == "png"


@pytest.mark.parametrize("crop", [(150, 0, 51, 10), (0, 90, 10, 11), (200, 0, 1, 1)])
def test_a_box_outside_the_picture_is_422(crop):
    with pytest.raises(ImageRejected) as e:
        result_size(Edit(crop=crop), 200, 100)
    assert e.value.status == 422 and e.value.code == "crop_outside_image"


def test_an_edit_with_nothing_in_it_is_empty():
    assert Edit().empty and Edit(rotate=0, flip=False).empty
    assert not Edit(rotate=90).empty and not Edit(width=5).empty
