"""Everything a design decides from its seed: a deterministic stream of choices and colours."""
from __future__ import annotations

import colorsys
import hashlib

from .canvas import RGB


class Dice:
    """Deterministic choices drawn from a seed.

    The seed is re-hashed rather than read as hex: it may be an MD5 or a SHA-256 (or, from a
    careless caller, not hex at all), and hashing gives every design the same well-mixed bytes
    whatever it was. The stream extends itself, so a design may ask for as many choices as it
    likes.
    """

    def __init__(self, seed: str):
        self._block = hashlib.sha256(seed.encode("utf-8")).digest()
        self._counter = 0
        self._bytes = bytearray(self._block)

    def _byte(self) -> int:
        if not self._bytes:
            self._counter += 1
            self._bytes = bytearray(
                hashlib.sha256(self._block + self._counter.to_bytes(4, "big")).digest())
        return self._bytes.pop(0)

    def below(self, n: int) -> int:
        """An integer in 0..n-1 (n up to 65536)."""
        return ((self._byte() << 8) | self._byte()) * n >> 16

    def unit(self) -> float:
        """A float in [0, 1)."""
        return ((self._byte() << 8) | self._byte()) / 65536

    def between(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.unit()

    def chance(self, p: float) -> bool:
        return self.unit() < p

    def pick(self, options):
        return options[self.below(len(options))]


def hsl(hue: float, saturation: float, lightness: float) -> RGB:
    """hue in turns (0..1, wrapping), saturation and lightness 0..1."""
    r, g, b = colorsys.hls_to_rgb(hue % 1.0, lightness, saturation)
    return (round(r * 255), round(g * 255), round(b * 255))


def seed_colour(seed: str) -> RGB:
    """The one colour that stands for a seed: used by `color` and behind `initials`, so both show
    a person in the same colour. Mid lightness keeps white letters readable on it."""
    dice = Dice(seed)
    return hsl(dice.unit(), dice.between(0.45, 0.75), dice.between(0.38, 0.5))


def relative_luminance(colour: RGB) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ink_on(background: RGB) -> RGB:
    """White or near-black, whichever reads better on the background (at worst ≈4:1)."""
    return WHITE if contrast(WHITE, background) >= contrast(INK, background) else INK


WHITE: RGB = (255, 255, 255)
INK: RGB = (34, 34, 40)
