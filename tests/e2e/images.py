"""Pictures made by the tests and pixel checks on what the server sends back (never bytes)."""
from __future__ import annotations

import io

from PIL import Image, ImageStat

RED, BLUE, GREEN = (220, 20, 30), (20, 40, 220), (30, 200, 40)


def jpeg(colour: tuple[int, int, int], size=(600, 400), quality=90) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(colour, size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def decode(body: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(body))
    img.load()
    return img


def mean_rgb(img: Image.Image) -> tuple[float, float, float]:
    if img.mode in ("RGBA", "LA", "P"):
        # Composite on white so a transparent default reads as light, not as its hidden RGB.
        img = img.convert("RGBA")
        bg = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(bg, img)
    return tuple(ImageStat.Stat(img.convert("RGB")).mean)


def close_to(img: Image.Image, colour, tolerance: float = 30) -> bool:
    """Mean colour within `tolerance` per channel: JPEG/WebP shift solid colours a little."""
    return all(abs(a - b) <= tolerance for a, b in zip(mean_rgb(img), colour))
