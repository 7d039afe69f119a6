"""Image handling on pyvips, shared by upload (admission), resizer (variants) and render
(on-the-fly sizes) and render's generated defaults (services/render/avatars, which draw their
pixels without it and encode through formats.encode).

Public surface (implemented in the sibling modules):
- formats.sniff(head: bytes) -> "jpeg" | "png" | "webp" | "gif" | None
- probe.probe(data: bytes, *, max_pixels: int, max_frames: int) -> ImageInfo
      header-only checks; raises ImageRejected (415 unsupported, 422 corrupt/too big)
- variants.make_variants(original: bytes) -> list[Variant]   (one decode, all named sizes,
      JPEG or PNG (transparency) + WebP each, sanitized)
- transform.render(source: bytes, *, width, height, fit, fmt) -> bytes  (sanitized)
"""
from __future__ import annotations

from dataclasses import dataclass

# Named variants: longest side in pixels.
VARIANTS: dict[str, int] = {"thumbnail": 128, "small": 256, "medium": 512, "large": 1024}
FORMATS = ("jpeg", "png", "webp")
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class ImageRejected(Exception):
    """Input the service refuses, with the HTTP status and error code to answer."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


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


def stored_formats(alpha: bool) -> tuple[str, str]:
    """The formats every variant is stored in."""
    return ("png", "webp") if alpha else ("jpeg", "webp")
