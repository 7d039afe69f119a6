"""A change reaching the origin: PUT /v1/me/active-photo returns → every answer of
GET /<user> at the public origin shows the new picture. Goal (DESIGN.md): p99 ≤ 100 ms.

Render's micro-cache alone would make this up to MICRO_CACHE_SECONDS (0.5 s); metadata's
announcement of each read-model write (pub/sub) is what makes it fast. The picture shown is
told by its ETag (one per photo and size), and "shows" means five answers in a row, so a
render worker that still held the old one would be caught."""
from __future__ import annotations

import time

import pyvips
import requests

from .rows import percentile, row

GOAL_MS = 100.0
IN_A_ROW = 5


def _jpeg(rgb: tuple[int, int, int]) -> bytes:
    return (pyvips.Image.black(64, 64, bands=3) + list(rgb)).cast("uchar").jpegsave_buffer()


def run(system, quick: bool) -> list[dict]:
    token = system.sign_up("propagation")
    photos = []
    for rgb in ((200, 30, 30), (30, 30, 200)):
        p = system.upload(token, _jpeg(rgb))
        system.wait_ready(token, p["id"])
        photos.append(p["id"])
    session = requests.Session()
    url = f"{system.base}/propagation?s=80"
    etags = []
    for pid in photos:   # each photo's ETag at the origin, learnt the slow way
        system.activate(token, pid)
        time.sleep(0.6)   # past the micro-cache (0.5 s) even if nothing were pushed
        etags.append(session.get(url, timeout=10).headers["ETag"])
    assert etags[0] != etags[1], "both photos answer the same ETag"
    changes = 5 if quick else 100
    delays = []
    for n in range(changes):
        target = n % 2
        system.activate(token, photos[target])
        returned = time.monotonic()
        seen, first = 0, None
        while seen < IN_A_ROW:
            etag = session.get(url, timeout=10).headers.get("ETag")
            if etag == etags[target]:
                seen += 1
                first = first or time.monotonic()
            else:
                seen, first = 0, None
            if time.monotonic() - returned > 5:
                raise RuntimeError("a change did not reach the origin within 5 s")
        delays.append((first - returned) * 1000)
        time.sleep(0.05)
    p99 = percentile(delays, 99)
    return [row(f"change propagation: active photo → origin ({changes} changes)",
                "p99 ms", p99, "ms", None, None, f"≤ {GOAL_MS:g} ms", p99 <= GOAL_MS),
            row(f"change propagation: active photo → origin ({changes} changes)",
                "p50 ms", percentile(delays, 50), "ms")]
