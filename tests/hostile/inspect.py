"""What metadata a served file still carries, found two independent ways: by walking the
container's own structure (JPEG segments, PNG chunks, RIFF chunks) and by asking Pillow.
Pillow and the standard library only, so end-to-end tests can use it without importing the
code under test.
"""
from __future__ import annotations

import io
import struct

from PIL import Image

from .corpus import MARKERS

# Segments/chunks that carry metadata rather than pixels.
_JPEG_METADATA = {0xE1: "APP1 (EXIF/XMP)", 0xE2: "APP2 (ICC)", 0xED: "APP13 (IPTC)",
                  0xFE: "COM"}
_PNG_METADATA = {b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME", b"sPLT"}
_WEBP_METADATA = {b"ICCP", b"EXIF", b"XMP "}
_PILLOW_METADATA = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")


def container_metadata(data: bytes) -> list[str]:
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    raise AssertionError(f"not a served format: {data[:12]!r}")


def _jpeg(data: bytes) -> list[str]:
    found, i = [], 2
    while i + 4 <= len(data):
        assert data[i] == 0xFF, f"broken JPEG segment at {i}"
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows, no more headers
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in _JPEG_METADATA:
            found.append(_JPEG_METADATA[marker])
        elif 0xE3 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0}")
        i += 2 + length
    return found


def _png(data: bytes) -> list[str]:
    found, i = [], 8
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I", data[i:i + 4])[0], data[i + 4:i + 8]
        if kind in _PNG_METADATA:
            found.append(kind.decode())
        i += 12 + length
    return found


def _webp(data: bytes) -> list[str]:
    found, i = [], 12
    while i + 8 <= len(data):
        kind, length = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        if kind in _WEBP_METADATA:
            found.append(kind.decode())
        i += 8 + length + (length & 1)
    return found


def pillow_metadata(data: bytes) -> list[str]:
    im = Image.open(io.BytesIO(data))
    found = [k for k in _PILLOW_METADATA if im.info.get(k)]
    if len(im.getexif()):
        found.append("exif tags")
    found += [f"text:{k}" for k in getattr(im, "text", {}) or {}]
    return found


def leaks(data: bytes) -> list[str]:
    """Everything metadata-like in `data`; [] for a clean file."""
    return (container_metadata(data) + pillow_metadata(data)
            + [f"marker {m!r}" for m in MARKERS if m in data])
