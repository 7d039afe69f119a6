"""Photo-like test JPEGs. Solid colours would flatter every codec (they compress to nothing and
decode at once), so these carry texture: Perlin noise, colourised, plus fine noise."""
from __future__ import annotations

import struct

import pyvips


def photo(width: int, height: int, quality: int = 90) -> bytes:
    # Two octaves of Perlin noise: broad shapes plus detail, like a scene.
    base = (pyvips.Image.perlin(width, height, cell_size=256, seed=1) * 0.7
            + pyvips.Image.perlin(width, height, cell_size=32, seed=2) * 0.3)
    base = (base + 1) * 127.5
    noise = pyvips.Image.gaussnoise(width, height, sigma=6, mean=0)
    # Three bands from one surface, shifted differently, look like a natural colour scene.
    rgb = (base + noise).bandjoin([base.rot180() * 0.7 + 40 + noise, 255 - base])
    rgb = rgb.cast("uchar").copy(interpretation="srgb")
    return rgb.jpegsave_buffer(Q=quality, strip=True)


def distinct(jpeg: bytes, n: int) -> bytes:
    """The same picture with a COM segment naming `n`: distinct bytes (so content addressing
    stores and resizes each upload) with identical pixels (so every upload costs the same)."""
    return distinct_head(jpeg, n) + jpeg[2:]


def distinct_head(jpeg: bytes, n: int) -> bytes:
    """The first bytes of distinct(jpeg, n); the rest is jpeg[2:], so a client can send the
    two parts without building (copying) each upload's body."""
    assert jpeg[:2] == b"\xff\xd8"
    text = f"onepic-bench-{n}".encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
