"""Generated defaults: each kind drawn in-process, and a new digest on every request over HTTP
against a stand-in for ivatar (Libravatar's server).

1. Per kind (identicon, monsterid, wavatar, retro, robohash, initials, color, and mp): what
   render's fallback.generate costs for an 80 px avatar of a new seed, drawn and encoded, CPU
   time of this process, median of batches; the slowest of PNG, JPEG and WebP is reported
   (each is ≤ 1 ms, the goal). A constant goal: no reference, no ratio.
2. New digest every request, `d=identicon`, 80 px (what a scraper or a cache-busting attack
   sends: every request misses render's byte cache and the read model), closed-loop wrk with a
   Lua script minting digests (lua/new_digest.lua), against the ivatar stand-in of
   bench/ivatar.py (Django + Pillow, 2 gunicorn sync workers, SQLite): same worker count, same
   connections, same machine, same run.
"""
from __future__ import annotations

import statistics
import time

from services.render import fallback
from services.render.avatars import KINDS, MP

from . import ivatar, wrk
from .rows import row

DRAW_GOAL_MS = 1.0
HTTP_GOAL = 2.0           # × the ivatar stand-in
CONNECTIONS = 8           # CPU-bound on 2 cores: more connections only queue
FORMATS = ("png", "jpeg", "webp")


def run(system, quick: bool) -> tuple[list[dict], list[str]]:
    rows = _per_kind(quick)
    got, notes = _new_digest(system, quick)
    return rows + got, notes


def _per_kind(quick: bool) -> list[dict]:
    batches, per_batch = (3, 20) if quick else (9, 200)
    rows = []
    for kind in [k for k in KINDS if k != "blank"] + [MP]:
        slowest, which = 0.0, ""
        for fmt in FORMATS:
            ms = _cpu_ms(kind, fmt, batches, per_batch)
            if ms > slowest:
                slowest, which = ms, fmt
        rows.append(row(f"generated default {kind}, 80 px, new seed, drawn + encoded",
                        f"CPU ms, slowest format ({which})", slowest, "ms", None, None,
                        f"≤ {DRAW_GOAL_MS:g} ms", slowest <= DRAW_GOAL_MS))
    return rows


def _cpu_ms(kind: str, fmt: str, batches: int, per_batch: int) -> float:
    n = 0

    def one():
        nonlocal n
        n += 1
        seed = f"{n:032x}" if kind != MP else ""
        fallback.generate(kind, 80, fmt, seed, "AL" if kind == "initials" else "")

    for _ in range(per_batch):   # warm: imports, the letters' mask, allocator
        one()
    samples = []
    for _ in range(batches):
        t0 = time.process_time()
        for _ in range(per_batch):
            one()
        samples.append((time.process_time() - t0) / per_batch * 1000)
    return statistics.median(samples)


def _new_digest(system, quick: bool) -> tuple[list[dict], list[str]]:
    if quick:
        return [], ["ivatar stand-in not run in quick mode; `make bench` runs it"]
    seconds, warm = 10, 2
    workers = int(system.env.get("UP_WORKERS") or 2)
    script = wrk.LUA / "new_digest.lua"
    with ivatar.Peer(workers) as peer:
        theirs = _load(peer.url("/avatar/%s?s=80&d=identicon&gravatarproxy=n"), script,
                       seconds, warm)
        ours = _load(system.render_url + "/avatar/%s?s=80&d=identicon", script, seconds, warm)
    label = "new digest every request, d=identicon, 80 px: render (as `make up` runs it)"
    ok = ours.rps >= HTTP_GOAL * theirs.rps
    return [
        row(label, "requests/s", ours.rps, "req/s", ivatar.NAME, theirs.rps,
            f"≥ {HTTP_GOAL:g} × {ivatar.NAME}", ok),
        row(label, "p50", ours.pct_ms(50), "ms", ivatar.NAME, theirs.pct_ms(50)),
        row(label, "p99", ours.pct_ms(99), "ms", ivatar.NAME, theirs.pct_ms(99)),
    ], [ivatar.NOTE + f"; {workers} workers, {CONNECTIONS} wrk connections on both sides"]


def _load(url: str, script, seconds: int, warm: int) -> wrk.Result:
    wrk.run(url, seconds=warm, connections=CONNECTIONS, script=script)
    got = wrk.run(url, seconds=seconds, connections=CONNECTIONS, script=script)
    if got.requests == 0 or got.errors["status"] or got.errors["timeout"]:
        raise RuntimeError(f"{url}: {got.requests} requests, errors {got.errors}")
    return got
