"""The image pipeline's benchmarks: `run(quick) -> rows` for `python -m bench`, or alone as
`python -m bench.pipeline [--quick]`.

Measured in one run on one machine, each against a reference doing the same work:
- variants:  the resizer's full variant set (every named size, JPEG + WebP) from one 12 MP
             JPEG, vs an independent pyvips thumbnail per variant per format (goal ≤ 0.5×),
             and vs a Pillow pipeline that also decodes once;
- 2 MP:      the same variant set from a 2 MP JPEG (the write benchmark's upload), wall and
             CPU time (all of libvips' threads), vs the same independent thumbnails; and the
             1024 px WebP encode at the effort the resizer uses vs effort 0 (time and bytes);
- peak RSS:  a resizer handler in its own process working on a 50 MP JPEG (goal ≤ 300 MB,
             reported beside the goal: a constant is no reference, so no ratio);
- flatness:  RSS of a long-running resizer over hundreds of images, with MALLOC_ARENA_MAX=2
             (what the launcher sets) vs without: growth from image 50 to the end;
- avatar:    an 80 px avatar rendered from the 256 px variant, vs Pillow.
Quick mode runs every case on small inputs for a few seconds: it proves the code runs, not
how fast it is, so its rows report no verdict (met is None).

libvips' operation cache is switched off while timing: every real upload is a new buffer, and
a cache hit on a repeated input would time nothing.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .images import distinct, photo
from .rows import row

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def run(quick: bool = False) -> list[dict]:
    from shared.images.vips import pyvips

    pyvips.cache_set_max(0)
    try:
        return (variant_set(quick) + two_megapixels(quick) + peak_rss(quick) + flatness(quick)
                + avatar(quick))
    finally:
        pyvips.cache_set_max(16)


def _median_seconds(fn, runs: int, clock=time.perf_counter) -> float:
    """Median of `runs` timings by `clock` (time.process_time: CPU of every thread of this
    process, libvips' worker threads included)."""
    fn()  # warm-up: first-call costs (codec set-up, page faults) are not the steady state
    times = []
    for _ in range(runs):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def _verdict(quick: bool, ok: bool) -> bool | None:
    return None if quick else ok


# --- a. the full variant set from one decode ------------------------------------------------

def variant_set(quick: bool) -> list[dict]:
    from shared.images import VARIANTS
    from shared.images.formats import encode
    from shared.images.variants import make_variants
    from shared.images.vips import pyvips

    w, h = (800, 600) if quick else (4000, 3000)
    original = photo(w, h)
    runs = 1 if quick else 7

    def independent():
        for side in VARIANTS.values():
            for fmt in ("jpeg", "webp"):
                encode(pyvips.Image.thumbnail_buffer(original, side, height=side, size="down"), fmt)

    ours = _median_seconds(lambda: make_variants(original), runs)
    ref = _median_seconds(independent, runs)
    pil = _median_seconds(lambda: _pillow_variants(original, sorted(VARIANTS.values())), runs)
    case = f"variants {w}x{h} jpeg ({len(VARIANTS)} sizes, as stored)"
    return [
        row(case, "time", ours * 1000, "ms", "pyvips thumbnail per variant per format",
            ref * 1000, "≤ 0.5× reference", _verdict(quick, ours <= 0.5 * ref)),
        row(case, "time", ours * 1000, "ms", "Pillow, one decode (draft) then resizes",
            pil * 1000, "informative", None),
    ]


def _pillow_variants(original: bytes, sides: list[int]) -> None:
    from PIL import Image

    im = Image.open(io.BytesIO(original))
    im.draft("RGB", (max(sides), max(sides)))  # JPEG DCT scaling: Pillow's shrink-on-load
    im = im.convert("RGB")
    for side in reversed(sides):  # largest first, each from the one before
        im.thumbnail((side, side), Image.Resampling.LANCZOS)
        for fmt, options in (("JPEG", {"quality": 82, "optimize": True}),
                             ("WEBP", {"quality": 80, "method": 2})):
            im.save(io.BytesIO(), fmt, **options)


# --- a2. one 2 MP upload: what the resizer spends on it, and the WebP effort ----------------

def two_megapixels(quick: bool) -> list[dict]:
    from shared.images import VARIANTS, WEBP_STORED_UP_TO
    from shared.images.formats import WEBP_EFFORT, WEBP_QUALITY, encode
    from shared.images.transform import load
    from shared.images.variants import LARGEST, make_variants
    from shared.images.vips import pyvips

    w, h = (408, 306) if quick else (1632, 1224)  # the write benchmark's 2.0 MP upload
    original = photo(w, h)
    runs = 1 if quick else 15

    def independent():
        for side in VARIANTS.values():
            for fmt in ("jpeg", "webp"):
                encode(pyvips.Image.thumbnail_buffer(original, side, height=side, size="down"), fmt)

    ref_name = "pyvips thumbnail per variant per format"
    case = f"variants {w}x{h} jpeg ({w * h / 1e6:.1f} MP, {len(VARIANTS)} sizes, as stored)"
    rows = [
        row(case, "median time", _median_seconds(lambda: make_variants(original), runs) * 1000,
            "ms", ref_name, _median_seconds(independent, runs) * 1000, "informative"),
        row(case, "median CPU time (all threads)",
            _median_seconds(lambda: make_variants(original), runs, time.process_time) * 1000,
            "ms", ref_name, _median_seconds(independent, runs, time.process_time) * 1000,
            "informative"),
    ]

    # Before/after of one change (docs/decisions/0060): WebP left to render.
    every = max(VARIANTS.values())
    stored = (f"WebP up to {WEBP_STORED_UP_TO} px" if WEBP_STORED_UP_TO
              else "the primary format only")
    stored_cpu = _median_seconds(lambda: make_variants(original), runs, time.process_time) * 1000
    for was, up_to in (("every size in WebP too", every),
                          ("WebP up to 512 px (the previous round)", 512)):
        rows.append(row(f"variants {w}x{h}: the stored set ({stored})",
                        "median CPU time (all threads)", stored_cpu, "ms", f"before: {was}",
                        _median_seconds(lambda up_to=up_to: make_variants(original,
                                                                          webp_up_to=up_to),
                                        runs, time.process_time) * 1000, "informative"))

    # Before/after of one change (services/resizer/budget.py): the variant child runs libvips
    # on one thread, as the resizer's parallelism is its consumers, one child each.
    default = pyvips.concurrency_get()
    try:
        pyvips.concurrency_set(1)
        single = _median_seconds(lambda: make_variants(original), runs, time.process_time)
    finally:
        pyvips.concurrency_set(default)
    rows.append(row(f"variants {w}x{h}: libvips on one thread (the variant child's)",
                    "median CPU time (all threads)", single * 1000, "ms",
                    f"libvips' default ({default} threads)", stored_cpu, "informative"))

    # Before/after of one change (docs/decisions/0066): encoder settings by side.
    def before(fmt: str, side: int) -> dict:
        return {}   # every JPEG Huffman-optimised, every WebP at the default effort

    # With no WebP stored (decision 0060) only the JPEG half of the change is in the set.
    if WEBP_STORED_UP_TO:
        case = (f"variants {w}x{h}: encoder settings by side (large JPEG unoptimised, "
                "WebP effort 1 from 512 px)")
        was = f"before: optimised JPEG, WebP effort 2 up to {WEBP_STORED_UP_TO} px"
    else:
        case = f"variants {w}x{h}: encoder settings by side (large JPEG unoptimised)"
        was = "before: every JPEG optimised"
    rows += [
        row(case, "median CPU time (all threads)",
            _median_seconds(lambda: make_variants(original), runs, time.process_time) * 1000,
            "ms", was,
            _median_seconds(lambda: make_variants(original, options=before), runs,
                            time.process_time) * 1000, "informative"),
        row(case, "bytes of the stored set", sum(len(v.data) for v in make_variants(original)),
            "bytes", was,
            sum(len(v.data) for v in make_variants(original, options=before)), "informative"),
    ]

    large = load(original, LARGEST, LARGEST, size="down").copy_memory()

    def webp(effort: int) -> bytes:
        return large.webpsave_buffer(Q=WEBP_QUALITY, effort=effort, keep="none")

    runs = 3 if quick else 30
    case = f"WebP encode of the {large.width}x{large.height} variant (from {w}x{h})"
    ours = f"effort {WEBP_EFFORT} (render's, made on first request: decision 0060)"
    rows += [
        row(case, f"median time, {ours}", _median_seconds(lambda: webp(WEBP_EFFORT), runs) * 1000,
            "ms", "effort 0", _median_seconds(lambda: webp(0), runs) * 1000, "informative"),
        row(case, f"bytes, {ours}", len(webp(WEBP_EFFORT)), "bytes", "effort 0", len(webp(0)),
            "informative"),
    ]
    return rows


# --- b. peak RSS of a resizer on a 50 MP JPEG ------------------------------------------------

def peak_rss(quick: bool) -> list[dict]:
    w, h = (1200, 800) if quick else (8660, 5773)  # 49.99 MP: just under MAX_PIXELS
    with tempfile.TemporaryDirectory(prefix="onepic-bench-") as tmp:
        source = Path(tmp) / "original.jpg"
        source.write_bytes(photo(w, h))
        got = _child(["rss", str(source)], arena=True)
    case = f"resizer handler, {w}x{h} jpeg ({w * h / 1e6:.0f} MP)"
    # Against the design's goal only: a constant is no reference, so no ratio.
    return [row(case, "peak RSS (VmHWM)", got["peak"] / MB, "MB", goal="≤ 300 MB",
                met=_verdict(quick, got["peak"] <= 300 * MB)),
            row(case, "RSS before the image", got["before"] / MB, "MB", goal="informative")]


# --- c. memory flatness of a long-running worker ---------------------------------------------

def flatness(quick: bool) -> list[dict]:
    n = 12 if quick else 300
    with_arena = _child(["flat", str(n)], arena=True)["rss"]
    without = _child(["flat", str(n)], arena=False)["rss"]
    start = 6 if quick else 50

    def growth(rss):
        # The highest RSS after image `start` above the RSS at it: a leak or fragmentation
        # shows as a rise; memory given back later cannot hide a peak.
        return (max(rss[start - 1:]) - rss[start - 1]) / MB

    case = f"resizer over {n} images ({'2–4 MP' if n >= 50 else 'small'} jpeg)"
    return [
        row(case, f"RSS peak growth image {start}→{n}", growth(with_arena), "MB",
            "without MALLOC_ARENA_MAX", growth(without), "≤ 32 MB (flat)",
            _verdict(quick, growth(with_arena) <= 32)),
        row(case, f"RSS at image {n}", with_arena[-1] / MB, "MB", "without MALLOC_ARENA_MAX",
            without[-1] / MB, "informative"),
    ]


# --- d. an 80 px avatar from the 256 px variant ----------------------------------------------

def avatar(quick: bool) -> list[dict]:
    from PIL import Image, ImageOps

    from shared.images.transform import render
    from shared.images.variants import make_variants

    small = next(v.data for v in make_variants(photo(1200, 900))
                 if v.name == "small" and v.fmt == "jpeg")
    runs = 10 if quick else 300

    def pillow():
        im = ImageOps.fit(Image.open(io.BytesIO(small)).convert("RGB"), (80, 80),
                          Image.Resampling.LANCZOS)
        im.save(io.BytesIO(), "JPEG", quality=82, optimize=True)

    ours = _median_seconds(lambda: render(small, width=80, height=80, fit="square",
                                          fmt="jpeg"), runs)
    ref = _median_seconds(pillow, runs)
    # No goal in the design for this one: it is reported so a regression shows. libvips pays a
    # fixed ~2 ms per pipeline (header parse, shrink-on-load re-open, region set-up) that
    # Pillow does not, which dominates at 256→80 px; a miss is then cached by render.
    return [row("avatar 80 px jpeg from the 256 px variant", "median time", ours * 1000, "ms",
                "Pillow ImageOps.fit + save", ref * 1000, "informative", None)]


# --- child processes: the resizer's real handler, measured from inside ------------------------

def _child(args: list[str], *, arena: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    if arena:
        env["MALLOC_ARENA_MAX"] = "2"
    done = subprocess.run([sys.executable, "-m", "bench.pipeline", "--child", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"bench child {args} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _status(field: str) -> int:
    """VmRSS / VmHWM of this process in bytes (VmHWM: the peak resident set so far)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _resizer(tmp: str):
    """The resizer's real handler on a file blob store and an in-process broker."""
    from services.resizer.handler import ResizeHandler
    from shared.blobstore import create_blob_store
    from shared.broker import create_broker

    blobs = create_blob_store(f"file://{tmp}/blobs")
    return blobs, ResizeHandler(blobs, create_broker("memory://", queue_prefix="bench"))


def _put(blobs, data: bytes) -> str:
    import hashlib

    from shared.blobstore import original_key

    sha = hashlib.sha256(data).hexdigest()
    blobs.put(original_key(sha), data, "image/jpeg")
    return sha


def _child_rss(path: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="onepic-bench-") as tmp:
        blobs, handle = _resizer(tmp)
        sha = _put(blobs, Path(path).read_bytes())
        before = _status("VmRSS")
        handle({"sha256": sha})
        return {"before": before, "peak": _status("VmHWM")}


def _child_flat(n: int) -> dict:
    # A few shapes and sizes, each upload distinct bytes, so allocations vary as in real life.
    shapes = ((1600, 1200), (2000, 1500), (1200, 1600), (2400, 1600))
    scale = 1 if n >= 50 else 4  # quick mode: same shapes, a sixteenth of the pixels
    bases = [photo(w // scale, h // scale) for w, h in shapes]
    rss = []
    with tempfile.TemporaryDirectory(prefix="onepic-bench-") as tmp:
        blobs, handle = _resizer(tmp)
        for i in range(n):
            sha = _put(blobs, distinct(bases[i % len(bases)], i))
            handle({"sha256": sha})
            for key in list(Path(tmp, "blobs").rglob("*")):  # keep the disk small
                if key.is_file():
                    key.unlink()
            rss.append(_status("VmRSS"))
    return {"rss": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, arg = args.child
        print(json.dumps(_child_rss(arg) if kind == "rss" else _child_flat(int(arg))))
        return 0
    from .report import table

    print(table(run(quick=args.quick)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
