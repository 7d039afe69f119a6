"""Render against the limit: warm avatar requests to the render process's own port (nothing in
front of it) against nginx serving the same bytes from a static file, both on this machine
under the same wrk load, in the same run.

1. Servers: the render app under gunicorn (sync, gthread) and granian, closed-loop maximum
   rate of `GET /<user>?s=80` (full mode only; the deployed one is always measured in 2.).
   nginx is measured again right before each server, and each server's ratio is to that
   run: nginx's own rate drifts by tens of percent over a run on a shared machine.
2. Cases, on the render process `make up` runs (deploy/local/plan.py): a username hit, an
   /avatar/<hash> hit, an unknown hash answered with a generated default (d=identicon), and a
   304 revalidation; each against nginx serving that case's bytes (or its 304).
3. Latency below saturation: each case paced at half of its own maximum rate (lua/paced.lua),
   nginx paced at the same rate.
4. The username hit through `make up`'s public origin (nginx in front of render), as clients
   get it.
5. View counting (services/render/views.py): the deployed render command twice more, with
   VIEW_COUNTS=on and off, measured alternately on `GET /i/<photo>` (every hit counts a
   view); the ratio is the hot path's cost of counting.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from deploy.local.plan import render_argv

from . import wrk
from .nginx import Nginx
from .rows import row
from .tools import PY, PeakRss, Proc, free_port, wait_http

P99_GOAL_MS = 5.0
RPS_GOAL = 0.5
COUNTING_GOAL = 0.95  # counting on keeps ≥ 95 % of the rate with it off


@dataclass(frozen=True)
class Mode:
    warm: int          # s of load before measuring (fills caches, wakes workers); 0: none
    seconds: int
    repeats: int       # the run with the median rate is reported
    servers: bool      # compare servers too


FULL = Mode(warm=2, seconds=5, repeats=3, servers=True)
QUICK = Mode(warm=0, seconds=1, repeats=1, servers=False)


def _servers(workers: int) -> dict:
    """The render app under each server considered, as argv(port)."""
    gunicorn = [PY, "-m", "gunicorn", "services.render.app:create_app()", "-w", str(workers)]
    granian = [PY, "-m", "granian", "--interface", "wsgi", "--factory", "--no-ws",
               "--workers", str(workers), "--host", "127.0.0.1"]
    return {
        "gunicorn sync": lambda p: gunicorn + ["-b", f"127.0.0.1:{p}", "-k", "sync"],
        "gunicorn gthread 4 threads": lambda p: gunicorn + ["-b", f"127.0.0.1:{p}", "-k", "gthread",
                                                            "--threads", "4"],
        "granian default threads": lambda p: granian + ["--port", str(p),
                                                        "services.render.app:create_app"],
        "granian 2 blocking threads": lambda p: granian + ["--port", str(p), "--blocking-threads",
                                                           "2", "services.render.app:create_app"],
        "granian 1 blocking thread (deployed)": lambda p: render_argv(p, str(workers)),
    }


def measure(url: str, mode: Mode, pid: int | None = None, headers: dict | None = None,
            rate: float | None = None, connections: int = 64) -> tuple[wrk.Result, int]:
    """(the median-rate wrk result of `mode.repeats` runs, peak RSS of pid's tree in bytes)."""
    if mode.warm:
        wrk.run(url, seconds=mode.warm, headers=headers, rate=rate, connections=connections)
    results, peak = [], 0
    for _ in range(mode.repeats):
        if pid is None:
            results.append(wrk.run(url, seconds=mode.seconds, headers=headers, rate=rate,
                                   connections=connections))
            continue
        with PeakRss(pid) as rss:
            results.append(wrk.run(url, seconds=mode.seconds, headers=headers, rate=rate,
                                   connections=connections))
        peak = max(peak, rss.peak)
    results.sort(key=lambda r: r.rps)
    chosen = results[len(results) // 2]
    if chosen.requests == 0 or chosen.errors["status"] or chosen.errors["timeout"]:
        raise RuntimeError(f"{url}: {chosen.requests} requests, errors {chosen.errors}")
    return chosen, peak


def _fetch(url: str, headers: dict | None = None) -> tuple:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:  # 304 arrives as an HTTPError
        return e.code, e.headers, e.read()


def _through_origin(system, path: str, mode: Mode, nginx: Nginx, dists: dict) -> list[dict]:
    """4. The warm avatar as a client gets it from `make up`: through its public origin
    (nginx generated from shared/routing.py, in front of render), against nginx serving the
    same bytes from a file, measured right before."""
    ref, _ = measure(nginx.url("user hit"), mode, nginx.proc.pid)
    got, _ = measure(system.base + path, mode, None)
    dists["user hit — make up origin, max rate"] = got.percentiles_us
    label = "make up origin user hit"
    return [
        row(label, "requests/s", got.rps, "req/s", "nginx static", ref.rps,
            f"≥ {RPS_GOAL} × nginx", got.rps / ref.rps >= RPS_GOAL),
        row(label, "p99 at max rate", got.pct_ms(99), "ms", "nginx static", ref.pct_ms(99)),
    ]


def run(system, quick: bool, names: dict) -> tuple[list[dict], dict]:
    """names: username, email_hash, photo_id. Returns (rows, latency distributions by label)."""
    mode = QUICK if quick else FULL
    workers = int(system.env.get("UP_WORKERS") or 2)
    render = system.render_url
    render_pid = system.pid("render")
    cases = {
        "user hit": f"/{names['username']}?s=80",
        "avatar hash hit": f"/avatar/{names['email_hash']}?s=80",
        "unknown hash, d=identicon": "/avatar/" + "0" * 31 + "1?s=80&d=identicon",
    }
    files, types = {}, {}
    for case, path in cases.items():
        status, headers, body = _fetch(render + path)
        assert status == 200, (case, status)
        files[case], types[case] = body, headers["Content-Type"]
    nginx = Nginx(files, types, workers)
    rows, dists = [], {}
    try:
        user_url = render + cases["user hit"]
        etag = _fetch(user_url)[1]["ETag"]
        assert _fetch(user_url, {"If-None-Match": etag})[0] == 304
        n_etag = _fetch(nginx.url("user hit"))[1]["ETag"]
        plan = [(case, render + path, None, nginx.url(case), None) for case, path in cases.items()]
        plan.append(("user 304 revalidation", user_url, {"If-None-Match": etag},
                     nginx.url("user hit"), {"If-None-Match": n_etag}))

        if mode.servers:
            rows += _compare_servers(system, workers, cases["user hit"], mode, nginx)
        rows += _view_counting(system, workers, f"/i/{names['photo_id']}", mode)
        for i, (case, url, hdrs, ref_url, ref_hdrs) in enumerate(plan):
            ref, ref_rss = measure(ref_url, mode, nginx.proc.pid, ref_hdrs)
            got, rss = measure(url, mode, render_pid, hdrs)
            dists[f"{case} — render, max rate"] = got.percentiles_us
            dists[f"{case} — nginx, max rate"] = ref.percentiles_us
            label = f"render {case}"
            ok = got.rps / ref.rps >= RPS_GOAL
            rows += [
                row(label, "requests/s", got.rps, "req/s", "nginx static", ref.rps,
                    f"≥ {RPS_GOAL} × nginx", ok),
                row(label, "p50 at max rate", got.pct_ms(50), "ms", "nginx static", ref.pct_ms(50)),
                row(label, "p99 at max rate", got.pct_ms(99), "ms", "nginx static", ref.pct_ms(99)),
                row(label, "peak RSS", rss / 2**20, "MiB", "nginx static", ref_rss / 2**20),
            ]
            if quick and i > 0:
                continue  # quick mode paces only the main case
            rows += _half_rate(case, url, hdrs, ref_url, ref_hdrs, got.rps, mode, dists)
        rows += _through_origin(system, cases["user hit"], mode, nginx, dists)
    finally:
        nginx.stop()
    return rows, dists


def _half_rate(case, url, hdrs, ref_url, ref_hdrs, max_rps, mode, dists) -> list[dict]:
    rate = max_rps / 2
    got, _ = measure(url, mode, headers=hdrs, rate=rate)
    ref, _ = measure(ref_url, mode, headers=ref_hdrs, rate=rate)
    dists[f"{case} — render, half rate"] = got.percentiles_us
    dists[f"{case} — nginx, same rate"] = ref.percentiles_us
    label = f"render {case} @ ½ max ({rate:.0f}/s)"
    return [
        row(label, "achieved rate", got.rps, "req/s", "nginx static", ref.rps),
        row(label, "p50", got.pct_ms(50), "ms", "nginx static", ref.pct_ms(50)),
        row(label, "p99", got.pct_ms(99), "ms", "nginx static", ref.pct_ms(99),
            f"≤ {P99_GOAL_MS:g} ms", got.pct_ms(99) <= P99_GOAL_MS),
    ]


def _compare_servers(system, workers, path, mode, nginx) -> list[dict]:
    """Each server against an nginx run measured just before it (same bytes, same load)."""
    rows = []
    for name, argv in _servers(workers).items():
        port = free_port()
        proc = Proc("render-" + name.split()[0] + f"-{port}", argv(port), env=system.env)
        try:
            wait_http(f"http://127.0.0.1:{port}/healthz", 30, proc)
            ref, _ = measure(nginx.url("user hit"), mode, nginx.proc.pid)
            got, rss = measure(f"http://127.0.0.1:{port}{path}", mode, proc.pid)
        finally:
            proc.stop()
        label = f"server: {name}, {workers} workers"
        reference = "nginx static, measured just before"
        rows += [
            row(label, "requests/s", got.rps, "req/s", reference, ref.rps,
                f"≥ {RPS_GOAL} × nginx", got.rps / ref.rps >= RPS_GOAL),
            row(label, "p99 at max rate", got.pct_ms(99), "ms", reference, ref.pct_ms(99)),
            row(label, "peak RSS", rss / 2**20, "MiB"),
        ]
    return rows


def _view_counting(system, workers, path, mode) -> list[dict]:
    """The deployed render with view counting on against off, alternately, same load."""
    procs, rates = {}, {"on": [], "off": []}
    try:
        for state in ("off", "on"):
            port = free_port()
            procs[state] = (port, Proc(f"render-views-{state}-{port}", render_argv(
                port, str(workers)), env={**system.env, "VIEW_COUNTS": state}))
            wait_http(f"http://127.0.0.1:{port}/healthz", 30, procs[state][1])
            status, _, body = _fetch(f"http://127.0.0.1:{port}{path}")
            if status != 200:  # say why before wrk only counts the failures
                raise RuntimeError(f"render with VIEW_COUNTS={state}: {status} {body[:300]!r}")
        for _ in range(1 if mode is QUICK else 3):
            for state, (port, proc) in procs.items():
                got, _ = measure(f"http://127.0.0.1:{port}{path}", mode, proc.pid)
                rates[state].append(got.rps)
    finally:
        for _, proc in procs.values():
            proc.stop()
    on, off = (sorted(r)[len(r) // 2] for r in (rates["on"], rates["off"]))
    return [row(f"render /i/<photo> hit, view counting on, {workers} workers", "requests/s",
                on, "req/s", "same, VIEW_COUNTS=off, measured alternately", off,
                f"≥ {COUNTING_GOAL} × off", on / off >= COUNTING_GOAL)]
