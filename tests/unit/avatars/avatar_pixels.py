"""Decoding and pixel measurements shared by the avatar tests (never compare encoded bytes)."""
from __future__ import annotations

from shared.images.vips import pyvips
from tests.imagefactory import decode  # noqa: F401  (re-exported for the avatar tests)

SEEDS = [f"{i:08x}" * 4 for i in range(0, 2**32, 2**32 // 24)][:24]
MD5 = "0bc83cb571cd1c50ba6f3e8a78ef1346"
SHA256 = "b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"


def rgb(image: pyvips.Image) -> pyvips.Image:
    return image.extract_band(0, n=3) if image.bands >= 3 else image


def mean_abs_diff(a: pyvips.Image, b: pyvips.Image) -> float:
    """Average per-channel difference, 0..255."""
    return (a.cast("float") - b.cast("float")).abs().avg()


def same_pixels(a: pyvips.Image, b: pyvips.Image) -> bool:
    return (a.width, a.height, a.bands) == (b.width, b.height, b.bands) and \
        (a.cast("int") - b.cast("int")).abs().max() == 0


def edge_stats(image: pyvips.Image) -> tuple[float, float]:
    """(share of neighbour pairs that differ at all, largest neighbour step).

    Anti-aliased edges drawn at the output size change over about one pixel, so few pairs
    differ and the steps between them are large; an upscaled small bitmap smears each edge
    over many pixels of small steps.
    """
    image = rgb(image).cast("float")
    w, h = image.width, image.height
    steps = []
    for step in ((image.crop(1, 0, w - 1, h) - image.crop(0, 0, w - 1, h)).abs(),
                 (image.crop(0, 1, w, h - 1) - image.crop(0, 0, w, h - 1)).abs()):
        largest = step[0]
        for band in range(1, step.bands):
            largest = largest.maxpair(step[band])
        steps.append(largest)
    changing = sum((s > 2).avg() / 255 for s in steps) / 2
    return changing, max(s.max() for s in steps)


def as_vips(array) -> pyvips.Image:
    """The canvas draws numpy arrays (h × w × bands uint8); the measurements here are pyvips'."""
    height, width, bands = array.shape
    return pyvips.Image.new_from_memory(array.tobytes(), width, height, bands, "uchar")
