"""Image handling on pyvips, shared by upload (admission), resizer (variants) and render
(on-the-fly sizes) and render's generated defaults (services/render/avatars, which draw their
pixels without it and encode through formats.encode).

Public surface (implemented in the sibling modules):
- formats.sniff(head: bytes) -> "jpeg" | "png" | "webp" | "gif" | None
- probe.probe(data: bytes, *, max_pixels: int, max_frames: int) -> ImageInfo
      header-only checks; raises ImageRejected (415 unsupported, 422 corrupt/too big)
- variants.make_variants(original: bytes) -> list[Variant]   (one decode, all named sizes,
      JPEG or PNG (transparency) each, + WebP up to WEBP_STORED_UP_TO (none), sanitized)
- transform.render(source: bytes, *, width, height, fit, fmt) -> bytes  (sanitized)
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import ApiError

# Named variants: longest side in pixels.
VARIANTS: dict[str, int] = {"thumbnail": 128, "small": 256, "medium": 512, "large": 1024}
FORMATS = ("jpeg", "png", "webp")
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class ImageRejected(ApiError):
    """Input the service refuses (415, 422): an ApiError, so upload answers it as raised; the
    resizer and render catch it by this name."""


@dataclass(frozen=True)
class ImageInfo:
    format: str        # sniffed from magic bytes: jpeg | png | webp | gif
    width: int         # after EXIF orientation is applied
    height: int
    frames: int
    alpha: bool        # has an alpha channel (→ PNG rather than JPEG)


@dataclass(frozen=True)
class Variant:
    name: str          # thumbnail | small | medium | large
    fmt: str           # jpeg | png | webp
    data: bytes
    width: int
    height: int


# WebP is stored for the named sizes up to this side (0: none); the others are stored in the
# primary format only and their WebP is made by render on first request and kept in its byte
# cache. The stored WebPs were a third of the CPU of a 2 MP upload's variant set (20 of 61 ms
# in-process) and three of its seven blob writes, for the requests least made: avatars are
# rendered to their `s` from a variant whatever is stored (docs/decisions/0060).
WEBP_STORED_UP_TO = 0


# Encoder settings of the stored set by side (bench `pipeline` rows, a 2 MP source): the
# 1024 px JPEG skips the Huffman-optimising pass (3.7 against 8.1 ms of CPU, 10 % more
# bytes, on the size least asked for), and WebP from 512 px up is written at effort 1 (5.7
# against 8.0 ms at 512 px for the same bytes; below 512 px it would cost 3–5 % more bytes
# to save under a millisecond). docs/decisions/0066.
OPTIMIZE_JPEG_UP_TO = 512
WEBP_EFFORT_1_FROM = 512


def encoder_options(fmt: str, side: int) -> dict:
    """formats.encode's keywords for a stored variant of this side."""
    if fmt == "jpeg":
        return {"optimize_coding": side <= OPTIMIZE_JPEG_UP_TO}
    if fmt == "webp" and side >= WEBP_EFFORT_1_FROM:
        return {"webp_effort": 1}
    return {}


def stored_formats(alpha: bool) -> tuple[str, str]:
    """The formats a variant can be stored in, the primary (lossless or fast-decoding) first."""
    return ("png", "webp") if alpha else ("jpeg", "webp")


def variant_formats(alpha: bool, side: int, webp_up_to: int = WEBP_STORED_UP_TO) -> tuple[str, ...]:
    """The formats the resizer stores a variant of this side in."""
    primary, webp = stored_formats(alpha)
    return (primary, webp) if side <= webp_up_to else (primary,)
