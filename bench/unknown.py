"""What a flood of unknown names costs the database: 1,000 random email hashes at the public
origin, counted as Postgres transactions on the run's database (pg_stat_database
xact_commit + xact_rollback), against the same database left idle for as long (the workers'
polls and the readiness probes run either way). Issue 10 measured 2,083 before the filter of
known names (shared/readmodel.py); the goal is a handful.

PostgreSQL 15 flushes a backend's counters at most once a second and an idle backend's after
up to 10 s, so each reading waits STATS_SETTLE seconds first (quick mode, which only proves
the harness works, waits a moment instead)."""
from __future__ import annotations

import secrets
import time

import psycopg2
import requests

from .rows import row

STATS_SETTLE = 11.0


def _xacts(database_url: str, database: str) -> int:
    conn = psycopg2.connect(database_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT pg_stat_clear_snapshot()")
            cur.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                        "WHERE datname = %s", (database,))
            return int(cur.fetchone()[0])
    finally:
        conn.close()


def _window(system, work, settle: float) -> tuple[int, float]:
    """Transactions during `work()` (less this function's own reading), and its seconds."""
    time.sleep(settle)
    before = _xacts(system.database_url, system.database)
    t0 = time.monotonic()
    work()
    took = time.monotonic() - t0
    time.sleep(settle)
    after = _xacts(system.database_url, system.database)
    return after - before - 1, took   # the `before` reading's own transaction


def run(system, quick: bool) -> list[dict]:
    n = 100 if quick else 1000
    session = requests.Session()

    def flood():
        for _ in range(n):
            r = session.get(f"{system.base}/avatar/{secrets.token_hex(16)}?d=404", timeout=30)
            assert r.status_code == 404, r.status_code

    settle = 1.0 if quick else STATS_SETTLE
    flooded, took = _window(system, flood, settle)
    idle, _ = _window(system, lambda: time.sleep(took), settle)
    case = f"{n} random email hashes (/avatar/<md5>?d=404)"
    return [row(case, "Postgres transactions", flooded, "transactions",
                "the database idle for as long", idle, goal="a handful more than idle",
                met=flooded - idle <= 5)]
