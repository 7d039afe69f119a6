"""Run Debian's wrk against a loopback URL and read its results as numbers.

Closed-loop runs (`run`) find the maximum rate; paced runs (`run(..., rate=…)`, see
lua/paced.lua) hold a fixed request rate to measure latency below saturation."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


@dataclass
class Result:
    url: str
    seconds: float
    requests: int
    errors: dict
    percentiles_us: list[tuple[float, int]]   # (percentile, latency µs), ascending
    rate_target: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct_ms(self, p: float) -> float:
        for q, us in self.percentiles_us:
            if q >= p:
                return us / 1000
        return self.percentiles_us[-1][1] / 1000

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def run(url: str, *, seconds: int, connections: int = 64, threads: int = 2,
        headers: dict | None = None, rate: float | None = None,
        script: Path | None = None) -> Result:
    """One wrk run of whole `seconds` (wrk takes no fractions). With `rate`, requests are
    paced to that many per second in total.
    A `script` of one's own must end with `dofile(os.getenv("WRK_REPORT"))`."""
    assert url.startswith("http://127.0.0.1:"), "benchmarks load loopback only"
    threads = min(threads, connections)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "wrk.json"
        script = script or LUA / ("paced.lua" if rate else "report.lua")
        argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:d}s",
                "--timeout", "5s", "-s", str(script)]
        for name, value in (headers or {}).items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(url)
        if rate:
            argv += ["--", f"{rate / threads:g}"]
        env = {**os.environ, "WRK_JSON": str(out), "WRK_REPORT": str(LUA / "report.lua")}
        # wrk stops itself after -d; the timeout only guards against a hung wrk.
        done = subprocess.run(argv, env=env, capture_output=True, text=True,
                              timeout=seconds + 30)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
        data = json.loads(out.read_text())
    return Result(url, data["duration_us"] / 1e6, data["requests"], data["errors"],
                  [(p, us) for p, us in data["percentiles_us"]], rate)
