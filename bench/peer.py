"""A peer: thumbor (PyPI 7.8.0, its own venv under var/bench) beside OnePic, same original,
same sizes, same machine, same run.

- On the fly, no result caching on either side: thumbor `/unsafe/80x80/` (crop to fill) and
  `/unsafe/fit-in/256x256/` with no storage and no result storage; OnePic render with its
  byte cache off (RENDER_CACHE_BYTES=0). OnePic is measured twice: as designed (from the
  smallest stored variant that covers the box) and from the original (a user whose read-model
  entry lists no variants yet — the path of a fresh upload), the like-for-like case.
- Variant sets: OnePic's resizer code (make_variants: 4 sizes × JPEG+WebP from one decode)
  against thumbor making the same 8 outputs from the original, one request each.
Both sides get 2 processes/threads and the same wrk connection count."""
from __future__ import annotations

import subprocess
import threading
import time

from deploy.local.plan import render_argv
from shared.cache import create_cache
from shared.images import VARIANTS
from shared.images.formats import JPEG_QUALITY, WEBP_QUALITY
from shared.images.variants import make_variants as _make_variants
from shared.readmodel import ReadModel

from . import wrk
from .rows import row
from .tools import PY, VAR, Proc, free_port, wait_http

THUMBOR = "thumbor==7.8.0"
VENV = VAR / "thumbor-venv"
CONNECTIONS = 4     # CPU-bound work on 2 cores: more connections only queue
CONF = """\
LOADER = 'thumbor.loaders.file_loader'
FILE_LOADER_ROOT_PATH = {root!r}
STORAGE = 'thumbor.storages.no_storage'
RESULT_STORAGE = None
ALLOW_UNSAFE_URL = True
QUALITY = {q}
WEBP_QUALITY = {wq}
AUTO_WEBP = False
MAX_AGE = 300
"""


def ensure_thumbor() -> bool:
    if (VENV / "bin" / "thumbor").exists():
        return True
    print(f"installing {THUMBOR} into {VENV}", flush=True)
    subprocess.run([PY, "-m", "venv", str(VENV)], check=True, timeout=300)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", THUMBOR], check=True, timeout=900)
    return True


def run(system, quick: bool, names: dict, original: bytes) -> tuple[list[dict], list[str]]:
    if quick:
        # Its runs (and, on a fresh machine, its install) would take most of the quick budget.
        return [], ["peer (thumbor) not run in quick mode; `make bench` runs it"]
    ensure_thumbor()
    seconds, warm = 10, 2
    root = VAR / "thumbor-root"
    root.mkdir(parents=True, exist_ok=True)
    (root / "original.jpg").write_bytes(original)
    conf = VAR / "thumbor.conf"
    conf.write_text(CONF.format(root=str(root), q=JPEG_QUALITY, wq=WEBP_QUALITY))
    workers = int(system.env.get("UP_WORKERS") or 2)
    _publish_without_variants(system, names)

    t_port, r_port = free_port(), free_port()
    thumbor = Proc("thumbor", [str(VENV / "bin" / "thumbor"), "-p", str(t_port), "-i",
                               "127.0.0.1", "-c", str(conf), "--processes", str(workers)])
    render = Proc("render-nocache", render_argv(r_port, str(workers)),
                  env={**system.env, "RENDER_CACHE_BYTES": "0"})
    rows = []
    try:
        wait_http(f"http://127.0.0.1:{t_port}/healthcheck", 60, thumbor)
        wait_http(f"http://127.0.0.1:{r_port}/healthz", 30, render)
        t, r = f"http://127.0.0.1:{t_port}", f"http://127.0.0.1:{r_port}"
        pid = names["photo_id"]
        cases = [
            ("80 px square", t + "/unsafe/80x80/original.jpg",
             {"as designed (from a variant)": f"{r}/{names['username']}?s=80",
              "from the original": f"{r}/{ORIGINAL_USER}?s=80"}),
            ("256 px fit-in", t + "/unsafe/fit-in/256x256/original.jpg",
             {"as designed (from a variant)": f"{r}/i/{pid}?w=256&h=256",
              "from the original": f"{r}/i/{ORIGINAL_PHOTO}?w=256&h=256"}),
        ]
        for size, t_url, ours in cases:
            ref = _load(t_url, seconds, warm)
            for how, url in ours.items():
                got = _load(url, seconds, warm)
                label = f"on the fly, no cache, {size}: OnePic render {how}"
                rows += [row(label, "requests/s", got.rps, "req/s", "thumbor", ref.rps),
                         row(label, "p50", got.pct_ms(50), "ms", "thumbor", ref.pct_ms(50))]
        rows += _variant_sets(t, original, seconds, warm, workers)
    finally:
        thumbor.stop()
        render.stop()
    return rows, [("thumbor: PIL engine, file loader, no storage, no result storage; "
                   f"{workers} processes; {CONNECTIONS} wrk connections on both sides")]


def _load(url: str, seconds: float, warm: float) -> wrk.Result:
    wrk.run(url, seconds=warm, connections=CONNECTIONS)
    got = wrk.run(url, seconds=seconds, connections=CONNECTIONS)
    if got.requests == 0 or got.errors["status"] or got.errors["timeout"]:
        raise RuntimeError(f"{url}: {got.requests} requests, errors {got.errors}")
    return got


ORIGINAL_USER = "benchoriginal"
ORIGINAL_PHOTO = "benchoriginalphoto"


def _publish_without_variants(system, names: dict) -> None:
    """Read-model entries for the same picture as it is before its variants exist, so render
    starts from the original: the state of every fresh upload (DESIGN.md, guarantee 2)."""
    rm = ReadModel(create_cache(system.env["CACHE_URL"]))
    view = dict(rm.get("photo", names["photo_id"]), variants={}, id=ORIGINAL_PHOTO)
    # Names no row holds, so no change of metadata's will ever carry a version for them:
    # version 1 is as good as any (the read model is versioned, guarantee 7).
    rm.put("photo", ORIGINAL_PHOTO, view, 1)
    rm.put("user", ORIGINAL_USER, {"username": ORIGINAL_USER, "photo": view}, 1)


def _variant_sets(thumbor: str, original: bytes, seconds: float, warm: float,
                  workers: int) -> list[dict]:
    paths = [f"/unsafe/fit-in/{side}x{side}/" + ("filters:format(webp)/" if fmt == "webp" else "")
             + "original.jpg" for side in VARIANTS.values() for fmt in ("jpeg", "webp")]
    _multi(thumbor, paths, warm)
    ref = _multi(thumbor, paths, seconds)
    theirs = ref.rps / len(paths)
    ours = _our_sets(original, seconds, warm, workers)
    label = (f"variant set ({len(VARIANTS)} sizes × JPEG+WebP) from a 12 MP JPEG: "
             "OnePic make_variants, in-process")
    return [row(label, "sets/s", ours, "sets/s", "thumbor, one request per output", theirs)]


def _multi(base: str, paths: list[str], seconds: float) -> wrk.Result:
    """wrk cycling through `paths` (a Lua request() picks the next one)."""
    script = VAR / "paths.lua"
    script.write_text("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                      "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format(nil, paths[i])\nend\n"
                      'dofile(os.getenv("WRK_REPORT"))\n')
    return wrk.run(base + "/", seconds=seconds, connections=CONNECTIONS, script=script)


def _our_sets(original: bytes, seconds: float, warm: float, threads: int) -> float:
    """make_variants in `threads` threads (libvips releases the GIL) for `seconds`, every size
    in WebP too: the same 8 outputs thumbor is asked for (the resizer stores 7)."""
    every = max(VARIANTS.values())

    def make_variants(data):
        return _make_variants(data, webp_up_to=every)

    make_variants(original)
    deadline = time.monotonic() + warm
    while time.monotonic() < deadline:
        make_variants(original)
    done = [0] * threads
    stop = time.monotonic() + seconds

    def loop(i):
        while time.monotonic() < stop:
            make_variants(original)
            done[i] += 1
    t0 = time.monotonic()
    pool = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return sum(done) / (time.monotonic() - t0)
