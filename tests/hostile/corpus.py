"""The hostile corpus: every file a stranger might send, with the answer we owe them.

Generated here, nothing downloaded: `python -m tests.hostile.corpus OUTDIR` writes the files
and a manifest.json. Accepted files carry the picture they must *look like* once served
(`display`: width, height and the colour of each quadrant after EXIF orientation), so tests
can check orientation and colour by pixels.

Built with Pillow (and pyvips for 16-bit RGB), both used by the tests only.
"""
from __future__ import annotations

import io
import json
import struct
import sys
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import ExifTags, Image

# Strings planted in the corpus's metadata and trailing bytes: none may appear in any served
# byte, whatever its size or format.
MARKERS = (b"OnePicTestCam", b"Leaky 1", b"xmpmeta", b"<script>", b"<html", b"Exif\0\0")

RED, GREEN, BLUE, WHITE = (220, 30, 30), (30, 180, 60), (30, 60, 220), (250, 250, 250)
QUADRANTS = (RED, GREEN, BLUE, WHITE)  # top-left, top-right, bottom-left, bottom-right
W, H = 120, 80

# Pillow's exif_transpose applies these to show orientation n; the inverse makes a file
# whose *displayed* picture is our reference.
_INVERSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
            4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
            6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_270}


@dataclass
class Case:
    name: str
    content_type: str
    status: int                    # the answer we owe
    code: str | None = None        # error code for refusals (None: any code)
    display: dict | None = None    # for accepted files: what the served picture looks like
    note: str = ""
    data: bytes = field(default=b"", repr=False)


def reference(w: int = W, h: int = H, mode: str = "RGB") -> Image.Image:
    im = Image.new(mode, (w, h))
    for i, colour in enumerate(QUADRANTS):
        x, y = (i % 2) * w // 2, (i // 2) * h // 2
        im.paste(colour, (x, y, x + w // 2, y + h // 2))
    return im


def _display(w=W, h=H, quadrants=QUADRANTS, alpha=None) -> dict:
    """`alpha`: the opacity of each quadrant where transparency must survive (PNG/WebP);
    a JPEG shows transparent parts on white."""
    shown = {"width": w, "height": h, "quadrants": [list(q) for q in quadrants]}
    if alpha:
        shown["alpha"] = list(alpha)
    return shown


def transparent(fmt: str, **kw) -> bytes:
    """The reference with its (white) bottom-right quadrant fully transparent."""
    im = reference().convert("RGBA")
    im.paste((*WHITE, 0), (W // 2, H // 2, W, H))
    return _save(im, fmt, **kw)


def _save(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC (the tests' only PNG chunk writer)."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png_header(w: int = 100_000, h: int = 100_000) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def jpeg_claiming(w: int, h: int) -> bytes:
    """A small real JPEG whose frame header claims w×h (a decompression bomb's header)."""
    data = bytearray(_save(reference(16, 16), "JPEG"))
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", h, w)
            return bytes(data)
        i += 2 + length
    raise AssertionError("no SOF marker")


def jpeg_with_segments(base: bytes, total: int) -> bytes:
    """Insert APP1 (XMP) and COM segments of ~60 KB each after SOI until `total` bytes."""
    segs, payload = [], b"http://ns.adobe.com/xap/1.0/\x00" + b"<x:xmpmeta secret='gps'/>" * 2400
    while sum(map(len, segs)) < total:
        segs.append(b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload)
        com = b"<script>alert(1)</script>" * 2000
        segs.append(b"\xff\xfe" + struct.pack(">H", len(com) + 2) + com)
    return base[:2] + b"".join(segs) + base[2:]


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "OnePicTestCam"
    exif[ExifTags.Base.Model] = "Leaky 1"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 22.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 53.0, 24.0)
    return _save(reference(), "JPEG", exif=exif, quality=92)


def oriented_jpeg(n: int) -> bytes:
    raw = reference() if n == 1 else reference().transpose(_INVERSE[n])
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = n
    return _save(raw, "JPEG", exif=exif, quality=92)


def p3_jpeg() -> bytes:
    """Pixels stored in Display P3 with that ICC profile: served in sRGB, they must look like
    the reference again (and the profile must be gone)."""
    import pyvips

    im = pyvips.Image.new_from_memory(reference().tobytes(), W, H, 3, "uchar")
    im = im.copy(interpretation="srgb").icc_transform("p3", input_profile="srgb")
    return im.jpegsave_buffer(Q=95, keep="all")


def webp_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "OnePicTestCam"
    return _save(reference(), "WEBP", quality=92, exif=exif.tobytes(),
                 xmp=b"<x:xmpmeta secret='gps'/>")


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta secret='gps'/>")
    return _save(reference(), "PNG", pnginfo=info)


def many_frames_gif(frames: int) -> bytes:
    ims = [Image.new("P", (2, 2), i % 2) for i in range(frames)]
    for im in ims:
        im.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    return _save(ims[0], "GIF", save_all=True, append_images=ims[1:], duration=10, disposal=1)


def animated(fmt: str) -> bytes:
    first, second = reference(), Image.new("RGB", (W, H), (0, 0, 0))
    return _save(first, fmt, save_all=True, append_images=[second], duration=100, loop=0)


def rgb16_png() -> bytes:
    import pyvips

    im = pyvips.Image.new_from_memory(reference().tobytes(), W, H, 3, "uchar")
    im = (im.cast("ushort") * 257).copy(interpretation="rgb16")
    return im.pngsave_buffer(bitdepth=16)


def cases() -> list[Case]:
    ref = reference()
    jpeg = _save(ref, "JPEG", quality=92)
    refused = [
        Case("empty.jpg", "image/jpeg", 422, data=b""),
        Case("truncated.jpg", "image/jpeg", 422, "corrupt_image", data=jpeg[: len(jpeg) // 2]),
        Case("random.jpg", "image/jpeg", 415, "unsupported_media_type",
             data=bytes((i * 7919 + 13) % 251 for i in range(4096))),
        Case("page.jpg", "image/jpeg", 415, "unsupported_media_type",
             data=b"<!doctype html><html><script>alert(document.cookie)</script></html>"),
        Case("drawing.jpg", "image/jpeg", 415, "unsupported_media_type",
             data=b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'),
        Case("drawing.svg", "image/svg+xml", 415, "unsupported_media_type",
             data=b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        Case("document.pdf", "application/pdf", 415, "unsupported_media_type",
             data=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"),
        Case("scan.tiff", "image/tiff", 415, "unsupported_media_type", data=_save(ref, "TIFF")),
        Case("bitmap.bmp", "image/bmp", 415, "unsupported_media_type", data=_save(ref, "BMP")),
        Case("html_after_png_magic.png", "image/png", 422, "corrupt_image",
             data=b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"),
        Case("huge_header.png", "image/png", 422, "too_many_pixels", data=huge_png_header()),
        Case("bomb_header.jpg", "image/jpeg", 422, "too_many_pixels",
             data=jpeg_claiming(60000, 60000)),
        Case("thousands_of_frames.gif", "image/gif", 422, "too_many_frames",
             data=many_frames_gif(3000)),
    ]
    accepted = [
        Case("plain.jpg", "image/jpeg", 201, display=_display(), data=jpeg),
        Case("progressive.jpg", "image/jpeg", 201, display=_display(),
             data=_save(ref, "JPEG", quality=92, progressive=True)),
        Case("cmyk.jpg", "image/jpeg", 201, display=_display(), note="CMYK → sRGB",
             data=_save(ref.convert("CMYK"), "JPEG", quality=95)),
        Case("grey.jpg", "image/jpeg", 201, data=_save(ref.convert("L"), "JPEG", quality=92),
             display=_display(quadrants=[(v, v, v) for v in
                                         (ref.convert("L").getpixel((x, y)) for x, y in
                                          ((10, 10), (W - 10, 10), (10, H - 10), (W - 10, H - 10)))])),
        Case("palette.png", "image/png", 201, display=_display(),
             data=_save(ref.convert("P", palette=Image.Palette.ADAPTIVE, colors=8), "PNG")),
        Case("rgb16.png", "image/png", 201, display=_display(), data=rgb16_png()),
        Case("alpha.png", "image/png", 201, display=_display(), note="transparency kept",
             data=_save(ref.convert("RGBA"), "PNG")),
        Case("transparent.png", "image/png", 201, display=_display(alpha=(255, 255, 255, 0)),
             note="a transparent quadrant stays transparent", data=transparent("PNG")),
        Case("transparent.webp", "image/webp", 201, display=_display(alpha=(255, 255, 255, 0)),
             note="a transparent quadrant stays transparent",
             data=transparent("WEBP", lossless=True)),
        Case("animated.gif", "image/gif", 201, display=_display(), note="first frame",
             data=animated("GIF")),
        Case("animated.webp", "image/webp", 201, display=_display(), note="first frame",
             data=animated("WEBP")),
        Case("gps.jpg", "image/jpeg", 201, display=_display(), note="GPS must not be served",
             data=gps_jpeg()),
        # 1.5 MB: megabytes of metadata, yet under the small byte cap the e2e system runs with.
        Case("megabytes_of_metadata.jpg", "image/jpeg", 201, display=_display(),
             note="XMP and comments stripped", data=jpeg_with_segments(jpeg, 1536 * 1024)),
        Case("polyglot_jpeg_html.jpg", "text/html", 201, display=_display(),
             note="a JPEG that is also an HTML page: only re-encoded pixels are served",
             data=jpeg + b"<html><script>alert(document.cookie)</script></html>"),
        Case("display_p3.jpg", "image/jpeg", 201, display=_display(),
             note="ICC profile applied, then dropped", data=p3_jpeg()),
        Case("metadata.webp", "image/webp", 201, display=_display(), note="EXIF/XMP chunks",
             data=webp_with_metadata()),
        Case("text_chunks.png", "image/png", 201, display=_display(), note="tEXt/iTXt stripped",
             data=png_with_text()),
        Case("comment.gif", "image/gif", 201, display=_display(), note="comment stripped",
             data=_save(ref, "GIF", comment=b"<script>alert(1)</script>")),
    ]
    for n in range(1, 9):
        w, h = (W, H)
        accepted.append(Case(f"orientation_{n}.jpg", "image/jpeg", 201, display=_display(w, h),
                             note=f"EXIF orientation {n}", data=oriented_jpeg(n)))
    return refused + accepted


def write(outdir: Path) -> list[Case]:
    outdir.mkdir(parents=True, exist_ok=True)
    all_cases = cases()
    for c in all_cases:
        (outdir / c.name).write_bytes(c.data)
    manifest = [{k: v for k, v in asdict(c).items() if k != "data"} for c in all_cases]
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return all_cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/hostile")
    print(f"wrote {len(write(target))} files to {target}")
