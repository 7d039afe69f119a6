"""Hypothesis strategies for fuzzing admission: valid seed files in every accepted format, and
mutations of them — bit flips, overwritten and inserted bytes, truncations, cut-outs, and
edits of the dimensions the header claims (with and without a fixed-up PNG CRC), so the fuzzer
spends its time near the parsers' edges rather than on noise every sniffer refuses.
"""
from __future__ import annotations

import io
import struct
import zlib

from hypothesis import strategies as st
from PIL import Image

from . import corpus


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def seeds() -> dict[str, bytes]:
    ref = corpus.reference(24, 16)
    return {
        "jpeg": _save(ref, "JPEG", quality=80),
        "jpeg_progressive": _save(ref, "JPEG", quality=80, progressive=True),
        "jpeg_exif": corpus.oriented_jpeg(6),
        "png": _save(ref, "PNG"),
        "png_rgba": _save(ref.convert("RGBA"), "PNG"),
        "png_palette": _save(ref.convert("P", palette=Image.Palette.ADAPTIVE, colors=4), "PNG"),
        "gif": _save(ref, "GIF"),
        "gif_animated": _save(ref, "GIF", save_all=True, duration=50,
                              append_images=[Image.new("RGB", ref.size, (0, 0, 0))]),
        "webp_lossy": _save(ref, "WEBP", quality=70),
        "webp_lossless": _save(ref.convert("RGBA"), "WEBP", lossless=True),
        "webp_animated": _save(ref, "WEBP", save_all=True, duration=50,
                               append_images=[Image.new("RGB", ref.size, (0, 0, 0))]),
    }


SEEDS = seeds()


# --- header dimension edits -------------------------------------------------------------------

def _jpeg_sof(data: bytes) -> int | None:
    i = 2
    while i + 9 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return i + 5  # height, width follow the length and precision
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return None


def set_dimensions(data: bytes, w: int, h: int, fix_crc: bool = True) -> bytes:
    """The same file claiming to be w×h in its main header (a no-op where none is found)."""
    out = bytearray(data)
    if len(data) < 33:  # too short to hold any of the headers below
        return data
    if data.startswith(b"\xff\xd8"):
        at = _jpeg_sof(data)
        if at is not None:
            out[at:at + 4] = struct.pack(">HH", h & 0xFFFF, w & 0xFFFF)
    elif data.startswith(b"\x89PNG"):
        out[16:24] = struct.pack(">II", w & 0xFFFFFFFF, h & 0xFFFFFFFF)
        if fix_crc:
            out[29:33] = struct.pack(">I", zlib.crc32(bytes(out[12:29])))
    elif data[:3] == b"GIF":
        out[6:10] = struct.pack("<HH", w & 0xFFFF, h & 0xFFFF)
    elif data[8:12] == b"WEBP":
        kind = data[12:16]
        if kind == b"VP8X":
            out[24:30] = ((w - 1) & 0xFFFFFF).to_bytes(3, "little") + \
                ((h - 1) & 0xFFFFFF).to_bytes(3, "little")
        elif kind == b"VP8L":
            old = struct.unpack("<I", data[21:25])[0]  # keep the alpha and version bits
            bits = (old & 0xF0000000) | ((w - 1) & 0x3FFF) | (((h - 1) & 0x3FFF) << 14)
            out[21:25] = struct.pack("<I", bits)
        elif kind == b"VP8 ":
            out[26:30] = struct.pack("<HH", w & 0x3FFF, h & 0x3FFF)
    return bytes(out)


# --- strategies -------------------------------------------------------------------------------

_DIMENSION = st.one_of(st.integers(0, 4), st.integers(1, 70_000),
                       st.sampled_from([0xFFFF, 0x3FFF, 0xFFFFFF, 2 ** 31, 2 ** 32 - 1]))


@st.composite
def mutated(draw) -> bytes:
    """A seed file with one to four mutations applied."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "byte", "insert", "truncate", "cut", "dims"]))
        if not data:
            break
        # Mostly past the magic number: a broken signature is refused by the sniffer alone.
        past_magic = min(16, len(data) - 1)
        at = draw(st.one_of(st.integers(past_magic, len(data) - 1), st.integers(0, len(data) - 1)))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[at] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, draw(st.integers(0, 255))]))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "truncate":
            del data[at:]
        elif op == "cut":
            del data[at:at + draw(st.integers(1, 256))]
        else:
            data = bytearray(set_dimensions(bytes(data), draw(_DIMENSION), draw(_DIMENSION),
                                            fix_crc=draw(st.booleans())))
    return bytes(data)


def any_body() -> st.SearchStrategy[bytes]:
    """Mostly mutated images, plus raw noise and noise behind a real magic number."""
    magic = st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"GIF87a",
                             b"RIFF\x00\x00\x00\x00WEBPVP8 ", b"RIFF\xff\xff\xff\xffWEBPVP8X"])
    return st.one_of(
        mutated(), mutated(), mutated(), mutated(), mutated(), mutated(),
        st.binary(max_size=512),
        st.builds(lambda m, b: m + b, magic, st.binary(max_size=512)),
    )
