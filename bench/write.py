"""The write path: upload → every variant ready, through the public origin of a running system
(nginx origin → upload → metadata → outbox → RabbitMQ → resizer → results → metadata), and
the CPU each process spends per upload meanwhile (cpu.py).

Uploads are sent open-loop on a fixed schedule by a thread pool, and each one's latency runs
from its *scheduled* start, so a client that falls behind cannot hide queueing. "Ready" is
what the API's `status` says (every named variant recorded); it is read from Postgres by one
poller instead of polling the API per photo, so watching adds no load to the services.

The reference is the same latency for one upload at a time on the idle system, measured in
the same run. The highest sustained rate steps the offered rate up until the backlog (sent
but not ready) grows during a step."""
from __future__ import annotations

import http.client
import itertools
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg2

from shared.images import VARIANTS

from . import images
from .cpu import CpuSplit
from .rows import percentile, row
from .tools import PeakRss

P95_GOAL_S = 2.0
RATE = 15.0                 # uploads/s of the latency run (issue 13's goal on 2 cores)
WIDTH, HEIGHT = 1632, 1224  # 2.0 MP, 4:3 like a phone photo
POLL_S = 0.05
USERS = {False: 16, True: 2}  # accounts the uploads are spread over (full, quick)


@dataclass(frozen=True)
class Mode:
    rate: float             # uploads/s of the latency run
    seconds: float          # the latency run at `rate`
    idle_samples: int
    steps: tuple            # offered rates of the capacity search, ascending
    step_seconds: float
    drain_s: float          # most time given to finish a run's backlog


FULL = Mode(rate=RATE, seconds=60, idle_samples=8, steps=(10, 15, 20, 28, 40, 56),
            step_seconds=15, drain_s=60)
QUICK = Mode(rate=5, seconds=3, idle_samples=2, steps=(10,), step_seconds=2, drain_s=30)


class Watcher:
    """Records when each uploaded photo became ready, polling Postgres for the pending ones.

    Ready is every named variant recorded for the photo's bytes; the query reads the variants
    table's primary key by sha256 only (the upload's answer names it), so watching a backlog of
    hundreds costs Postgres little."""

    def __init__(self, database_url: str):
        self.conn = psycopg2.connect(database_url)
        self.conn.autocommit = True
        with self.conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            # Its queries are the bench's, not OnePic's: cpu.py counts them as the client's.
            self.backend_pid = cur.fetchone()[0]
        self.pending: dict[str, str] = {}     # sha256 → photo id
        self.ready_at: dict[str, float] = {}  # photo id → when seen ready
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, photo_id: str, sha256: str) -> None:
        with self.lock:
            self.pending[sha256] = photo_id

    def backlog(self) -> int:
        with self.lock:
            return len(self.pending)

    def _run(self) -> None:
        with self.conn.cursor() as cur:
            while not self._stop.wait(POLL_S):
                with self.lock:
                    shas = list(self.pending)
                if not shas:
                    continue
                cur.execute("SELECT sha256 FROM variants WHERE sha256 = ANY(%s) "
                            "GROUP BY sha256 HAVING count(DISTINCT name) >= %s",
                            (shas, len(VARIANTS)))
                now = time.monotonic()
                with self.lock:
                    for (sha256,) in cur.fetchall():
                        self.ready_at[self.pending.pop(sha256)] = now

    def drain(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.backlog() and time.monotonic() < deadline:
            time.sleep(POLL_S)
        return not self.backlog()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.conn.close()


class Load:
    """Uploads at `rate`/s for `seconds`; returns {photo id: scheduled start}.

    The client is kept cheap, as it shares the cores with what it measures: one keep-alive
    connection per thread (http.client, no requests), and each body sent as two buffers, a
    distinct 30-byte head and the one shared rest of the JPEG, so no upload's bytes are built
    or copied in Python."""

    def __init__(self, system, tokens: list[str], watcher: Watcher, base_jpeg: bytes, counter):
        origin = urlsplit(system.base)
        self.host, self.port = origin.hostname, origin.port
        self.tokens, self.watcher = tokens, watcher
        self.base, self.counter = base_jpeg, counter
        self.rest = memoryview(base_jpeg)[2:]
        self.local = threading.local()
        self._failures = itertools.count()
        self.failures = 0

    def _post(self, head: bytes, token: str) -> tuple[int, bytes]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.putrequest("POST", "/v1/photos", skip_accept_encoding=True)
            conn.putheader("Authorization", f"Bearer {token}")
            conn.putheader("Content-Type", "image/jpeg")
            conn.putheader("Content-Length", str(len(head) + len(self.rest)))
            conn.endheaders()
            conn.send(head)
            conn.send(self.rest)
            answer = conn.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            raise

    def _one(self, n: int, scheduled: float, started: dict) -> None:
        try:
            status, body = self._post(images.distinct_head(self.base, n),
                                      self.tokens[n % len(self.tokens)])
            photo = json.loads(body) if status in (200, 201) else None
        except (OSError, http.client.HTTPException, ValueError):
            photo = None
        if photo is None:
            self.failures = next(self._failures) + 1
            return
        started[photo["id"]] = scheduled
        self.watcher.add(photo["id"], photo["sha256"])

    def run(self, rate: float, seconds: float, on_tick=None) -> dict[str, float]:
        started: dict[str, float] = {}
        total = int(rate * seconds)
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for i in range(total):
                at = t0 + i / rate
                wait = at - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if on_tick:
                    on_tick(time.monotonic() - t0)
                pool.submit(self._one, next(self.counter), at, started)
        return started

    def reset_failures(self) -> None:
        self._failures = itertools.count()
        self.failures = 0


def _latencies(watcher: Watcher, started: dict[str, float]) -> list[float]:
    return [watcher.ready_at[i] - t for i, t in started.items() if i in watcher.ready_at]


def _mode(quick: bool) -> Mode:
    """BENCH_WRITE_RATE / BENCH_WRITE_SECONDS / BENCH_WRITE_STEPS change the latency run's rate
    and length and the capacity search's rates (for
    a CPU split below saturation, where queueing does not inflate the per-upload figures)."""
    mode = QUICK if quick else FULL
    rate = float(os.environ.get("BENCH_WRITE_RATE", mode.rate))
    seconds = float(os.environ.get("BENCH_WRITE_SECONDS", mode.seconds))
    steps = os.environ.get("BENCH_WRITE_STEPS")  # "" skips the capacity search
    steps = mode.steps if steps is None else tuple(float(s) for s in steps.split(",") if s)
    return Mode(rate, seconds, mode.idle_samples, steps, mode.step_seconds, mode.drain_s)


def run(system, quick: bool) -> list[dict]:
    mode = _mode(quick)
    base = images.photo(WIDTH, HEIGHT)
    # Several accounts, as many people upload: one would pass QUOTA_PHOTOS (1,000) within a
    # full run, and the per-account checks (quota usage) would grow with its photo count.
    tokens = [system.sign_up(f"benchwriter{i}") for i in range(USERS[quick])]
    counter = itertools.count(1)
    watcher = Watcher(system.database_url)
    load = Load(system, tokens, watcher, base, counter)
    rows = []
    try:
        # Reference: one at a time, idle system.
        idle = []
        for _ in range(mode.idle_samples):
            started = load.run(rate=1, seconds=1)  # exactly one upload
            if not watcher.drain(mode.drain_s):
                raise RuntimeError("an idle upload did not become ready")
            idle += _latencies(watcher, started)
        idle_p50 = percentile(idle, 50)

        # SeaweedFS is one of the supervised processes (named "seaweedfs"), so it is counted.
        split = CpuSplit({**{name: system.pid(name) for name in system.process_names()},
                          **getattr(system, "servers", {})},
                         system.database_url, system.database,
                         client_backends={watcher.backend_pid})
        with PeakRss(system.pid("resizer")) as rss, split:
            started = load.run(mode.rate, mode.seconds)
            drained = watcher.drain(mode.drain_s)
        lat = _latencies(watcher, started)
        if not lat:
            raise RuntimeError(f"write run: drained={drained} failures={load.failures}")
        late = [i for i in started if i not in watcher.ready_at]
        if late:
            # Overloaded: what never became ready counts with its latency so far (a lower
            # bound), so the percentiles cannot look better than they were.
            now = time.monotonic()
            lat += [now - started[i] for i in late]
        label = f"upload → ready, 2 MP JPEG at {mode.rate:g}/s for {mode.seconds:g} s ({len(lat)} uploads)"
        for p in (50, 95, 99):
            goal = f"≤ {P95_GOAL_S:g} s" if p == 95 else None
            met = percentile(lat, p) <= P95_GOAL_S if p == 95 else None
            rows.append(row(label, f"p{p}", percentile(lat, p), "s", "one upload at a time, idle",
                            idle_p50, goal, met))
        rows.append(row(label, "not ready after the drain", len(late), "uploads", None, None,
                        "0", not late))
        rows.append(row(label, "uploads refused or timed out", load.failures, "uploads", None,
                        None, "0", not load.failures))
        rows.append(row(label, "resizer peak RSS", rss.peak / 2**20, "MiB"))
        rows += _cpu_rows(split.seconds, len(started), len(started) - len(late), mode.rate)
        if mode.steps:
            rows += _capacity(load, watcher, mode)
    finally:
        watcher.close()
    return rows


# Processes that work on an upload only until its 201: their CPU is divided by the uploads
# accepted; the rest (resizer, metadata worker, the stores) by the uploads that became ready.
FRONT = {"nginx", "upload", "metadata-internal", "metadata", "load generator"}


def _cpu_rows(seconds: dict[str, float], accepted: int, ready: int, rate: float) -> list[dict]:
    """CPU per upload by process over the latency run and its drain (cpu.py). When every
    upload became ready the two divisors are equal; in an overloaded run the uploads not ready
    yet have cost the front of the path only, and what the back spent on them so far is
    counted against the ready ones (a slight overstatement there)."""
    label = f"CPU per upload at {rate:g}/s, by process"
    per = {name: s * 1000 / max(1, accepted if name.split(" (")[0] in FRONT else ready)
           for name, s in seconds.items()}
    rows = [row(label, name, ms, "ms") for name, ms in sorted(per.items(), key=lambda i: -i[1])]
    ours = sum(ms for name, ms in per.items() if not name.startswith("load generator"))
    rows.append(row(label, "OnePic (all but the load generator)", ours, "ms"))
    rows.append(row(label, "all of the above", sum(per.values()), "ms", None, None,
                    f"≤ 2 cores ÷ {rate:g}/s = {2000 / rate:.0f} ms"))
    return rows


def _capacity(load: Load, watcher: Watcher, mode: Mode) -> list[dict]:
    """Step the rate up until the backlog grows within a step; report the last one held."""
    held, rows = None, []
    for rate in mode.steps:
        load.reset_failures()   # each step counts its own
        samples: list[tuple[float, int]] = []
        started = load.run(rate, mode.step_seconds,
                           on_tick=lambda t, samples=samples: samples.append((t, watcher.backlog())))
        # Held: the p95 target is kept, and the backlog grew by at most half a second of
        # uploads between the middle and the end of the step (it jitters by about that much
        # at any rate; an overload grows it steadily).
        mid = [b for t, b in samples if t >= mode.step_seconds / 2]
        growth = (mid[-1] - mid[0]) if len(mid) > 1 else 0
        allowed = max(2.0, rate * 0.5)
        drained = watcher.drain(mode.drain_s)
        lat = _latencies(watcher, started)
        ok = (drained and not load.failures and bool(lat) and growth <= allowed
              and percentile(lat, 95) <= P95_GOAL_S)
        rows.append(row(f"upload rate step {rate:g}/s for {mode.step_seconds:g} s",
                        "backlog growth in 2nd half", growth, "uploads", None, None,
                        f"≤ {allowed:.0f}", ok))
        if lat:
            rows.append(row(f"upload rate step {rate:g}/s for {mode.step_seconds:g} s",
                            "p95 upload → ready", percentile(lat, 95), "s", None, None,
                            f"≤ {P95_GOAL_S:g} s", percentile(lat, 95) <= P95_GOAL_S))
        if not ok:
            break
        held = rate
    # The goal is a constant (the latency run's rate), not a measurement: no ratio to it.
    rows.append(row("highest sustained upload rate (2 MP JPEG)", "uploads/s", held or 0,
                    "uploads/s", None, None,
                    None if len(mode.steps) == 1 else f"≥ {RATE:g}/s",
                    None if len(mode.steps) == 1 else (held or 0) >= RATE))
    return rows
