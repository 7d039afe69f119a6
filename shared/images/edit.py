"""Edits of a picture (PUT /v1/photos/<id>/transform): crop, quarter turns, mirror, resize,
applied in that order to the sanitized original (upright, sRGB, first frame), so the box is
in the coordinates the owner sees (the photo's width × height). The result is a new,
sanitized image that the upload service admits like any upload."""
from __future__ import annotations

from dataclasses import dataclass

from . import ImageRejected
from .transform import encode_or_reject, load
from .vips import UNBOUNDED

# The formats an edit is written in: the original's, except GIF (one frame of it) → PNG.
OUTPUT = {"jpeg": "jpeg", "png": "png", "webp": "webp", "gif": "png"}


@dataclass(frozen=True)
class Edit:
    crop: tuple[int, int, int, int] | None = None   # x, y, width, height
    rotate: int = 0                                 # clockwise quarter turns, in degrees
    flip: bool = False                              # mirror left to right
    width: int | None = None                        # resize; one side alone keeps the aspect
    height: int | None = None

    @property
    def empty(self) -> bool:
        return (self.crop is None and self.rotate == 0 and not self.flip
                and self.width is None and self.height is None)


def result_size(edit: Edit, width: int, height: int) -> tuple[int, int]:
    """The size the edit produces from a width × height picture; 422 for a box outside it."""
    if edit.crop is not None:
        x, y, w, h = edit.crop
        if x + w > width or y + h > height:
            raise ImageRejected(422, "crop_outside_image",
                                f"The crop box must lie inside the {width}×{height} picture.")
        width, height = w, h
    if edit.rotate in (90, 270):
        width, height = height, width
    if edit.width and edit.height:
        return edit.width, edit.height
    if edit.width:
        return edit.width, max(1, round(height * edit.width / width))
    if edit.height:
        return max(1, round(width * edit.height / height)), edit.height
    return width, height


def apply(original: bytes, source_format: str, edit: Edit) -> tuple[bytes, str]:
    """(encoded result, its format). Corrupt input raises ImageRejected(422)."""
    image = load(original, UNBOUNDED, UNBOUNDED, size="down")  # upright sRGB, metadata gone
    out_w, out_h = result_size(edit, image.width, image.height)
    if edit.crop is not None:
        image = image.crop(*edit.crop)
    if edit.rotate:
        image = getattr(image, {90: "rot90", 180: "rot180", 270: "rot270"}[edit.rotate])()
    if edit.flip:
        image = image.fliphor()
    if (out_w, out_h) != (image.width, image.height):
        # "force": exactly this size, aspect ratio or not (both sides given).
        image = image.thumbnail_image(out_w, height=out_h, size="force")
    fmt = OUTPUT[source_format]
    return encode_or_reject(image, fmt), fmt
