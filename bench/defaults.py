"""Generated defaults: each kind drawn in-process, and a new digest on every request over HTTP
against a stand-in for ivatar (Libravatar's server).

1. Per kind (identicon, monsterid, wavatar, retro, robohash, initials, color, and mp): what
   render's fallback.generate costs for an 80 px avatar of a new seed, drawn and encoded, CPU
   time of this process, median of batches; the slowest of PNG, JPEG and WebP is reported
   (each is ≤ 1 ms, the goal). A constant goal: no reference, no ratio.
2. New digest every request, `d=identicon`, 80 px (what a scraper or a cache-busting attack
   sends: every request misses render's byte cache and the read model), closed-loop wrk with a
   Lua script minting digests and a new client address per request in X-Forwarded-For
   (lua/new_digest.lua), against the ivatar stand-in of bench/ivatar.py (Django + Pillow, 2
   gunicorn sync workers, SQLite): same worker count, same connections, same machine, same
   run. Render is measured twice: with production's rate limits (RATE_LIMITS=on, the default
   LIMIT_RENDERS; every request is counted against its own client, none refused, so the
   limiter costs what it costs in production), the goal row; and as the bench's system runs it
   (RATE_LIMITS=off, which the write suite needs), informative. The three are measured in
   turn, ROUNDS times, and each one's median-rate run is reported: the machine is shared.
   Beside the rates, the CPU each server's processes spent per request (from /proc), which
   a busy machine disturbs far less than a rate, and the private Redis's per request.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from deploy.local.plan import render_argv
from services.render import fallback
from services.render.avatars import KINDS, MP

from . import ivatar, wrk
from .cpu import tree_cpu
from .rows import row
from .tools import Proc, free_port, wait_http

DRAW_GOAL_MS = 1.0
HTTP_GOAL = 2.0           # × the ivatar stand-in
CONNECTIONS = 8           # CPU-bound on 2 cores: more connections only queue
ROUNDS = 3
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
    path = "/avatar/%s?s=80&d=identicon"
    port = free_port()
    limited = Proc(f"render-limits-on-{port}", render_argv(port, str(workers)),
                   env={**system.env, "RATE_LIMITS": "on"})
    runs: dict[str, list[Run]] = {"ivatar": [], "on": [], "off": []}
    redis = system.servers.get("redis")   # a private server (full mode): its CPU is ours
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", 30, limited)
        with ivatar.Peer(workers) as peer:
            targets = {"ivatar": (peer.url(path + "&gravatarproxy=n"), peer.proc.pid),
                       "on": (f"http://127.0.0.1:{port}{path}", limited.pid),
                       "off": (system.render_url + path, system.pid("render"))}
            for _ in range(ROUNDS):
                for which, (url, pid) in targets.items():
                    runs[which].append(_load(url, script, seconds, warm, pid, redis))
    finally:
        limited.stop()
    theirs, on, off = (sorted(r, key=lambda x: x.wrk.rps)[len(r) // 2] for r in runs.values())
    cpu = {k: statistics.median(x.cpu_ms for x in r) for k, r in runs.items()}
    label = ("new digest every request, d=identicon, 80 px: render as `make up` runs it, "
             "production rate limits (a new client per request)")
    off_label = ("new digest every request, d=identicon, 80 px: render with RATE_LIMITS=off "
                 "(the bench's system)")
    rows = [
        row(label, "requests/s", on.wrk.rps, "req/s", ivatar.NAME, theirs.wrk.rps,
            f"≥ {HTTP_GOAL:g} × {ivatar.NAME}", on.wrk.rps >= HTTP_GOAL * theirs.wrk.rps),
        row(label, "p50", on.wrk.pct_ms(50), "ms", ivatar.NAME, theirs.wrk.pct_ms(50)),
        row(label, "p99", on.wrk.pct_ms(99), "ms", ivatar.NAME, theirs.wrk.pct_ms(99)),
        row(label, "CPU per request, server processes", cpu["on"], "ms", ivatar.NAME,
            cpu["ivatar"]),
        row(off_label, "requests/s", off.wrk.rps, "req/s", ivatar.NAME, theirs.wrk.rps),
        row(off_label, "p99", off.wrk.pct_ms(99), "ms", ivatar.NAME, theirs.wrk.pct_ms(99)),
        row(off_label, "CPU per request, server processes", cpu["off"], "ms", ivatar.NAME,
            cpu["ivatar"]),
    ]
    if redis:
        rows += [row(label, "Redis CPU per request", statistics.median(
            x.redis_ms for x in runs["on"]), "ms", "same, RATE_LIMITS=off",
            statistics.median(x.redis_ms for x in runs["off"]))]
    return rows, [ivatar.NOTE + f"; {workers} workers, {CONNECTIONS} wrk connections on all "
                  f"sides, {ROUNDS} runs each in turn: the median-rate run's figures, the median "
                  "CPU (utime + stime of the process tree from /proc, over the run ÷ requests)"]


@dataclass
class Run:
    wrk: wrk.Result
    cpu_ms: float      # the server's process tree, per request
    redis_ms: float    # the private Redis server, per request (0 without one)


def _load(url: str, script, seconds: int, warm: int, pid: int, redis: int | None) -> Run:
    wrk.run(url, seconds=warm, connections=CONNECTIONS, script=script)
    before = (tree_cpu(pid), tree_cpu(redis) if redis else 0.0)
    got = wrk.run(url, seconds=seconds, connections=CONNECTIONS, script=script)
    after = (tree_cpu(pid), tree_cpu(redis) if redis else 0.0)
    if got.requests == 0 or got.errors["status"] or got.errors["timeout"]:
        raise RuntimeError(f"{url}: {got.requests} requests, errors {got.errors}")
    return Run(got, (after[0] - before[0]) * 1000 / got.requests,
               (after[1] - before[1]) * 1000 / got.requests)
