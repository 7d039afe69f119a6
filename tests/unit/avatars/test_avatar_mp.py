import pytest

from services.render.avatars import MP, generate
from tests import imagefactory as f

BACKGROUND, FIGURE = (224, 224, 224), (160, 160, 160)


def mystery_person(size, fmt):
    return generate(MP, "", size, fmt)


@pytest.mark.parametrize("size", [1, 16, 80, 2048])
def test_exact_size(size):
    image = f.decode(mystery_person(size, "png"))
    assert (image.width, image.height) == (size, size)


@pytest.mark.parametrize("size", [16, 2048])
def test_silhouette_layout(size):
    image = f.decode(mystery_person(size, "png"))
    s = size
    def at(fx, fy):
        return image(int(fx * s), int(fy * s))
    assert at(0.05, 0.05) == list(BACKGROUND)          # corner
    assert at(0.5, 0.38) == list(FIGURE)               # head
    assert at(0.5, 0.97) == list(FIGURE)               # shoulders
    assert at(0.05, 0.97) == list(BACKGROUND)          # beside the shoulders


def test_crisp_edges_at_large_sizes():
    # Drawn at size, so the rim between figure and background is about one pixel wide rather
    # than the blur an enlarged bitmap would have.
    image = f.decode(mystery_person(2048, "png"))[0]
    row = [image(x, int(0.38 * 2048)) for x in range(1024)]
    in_between = [v for v in row if 160 < v[0] < 224]
    assert 0 < len(in_between) <= 2


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_formats(fmt):
    data = mystery_person(64, fmt)
    assert f.loader(data) == fmt
    assert f.metadata_fields(data) == []


def test_deterministic():
    a, b = f.decode(mystery_person(96, "png")), f.decode(mystery_person(96, "png"))
    assert (a - b).abs().max() == 0
