"""CPU time by process over a stretch of a benchmark, from /proc (utime + stime, this machine).

OnePic's own processes are counted with their descendants (gunicorn and granian workers, the
resizer's variant child, nginx workers). Postgres is counted as the backends serving the
bench's database (pg_stat_activity, sampled every second so a backend that appears mid-run is
counted too; one that lives less than a second between samples is missed: the services pool
their connections, so there are none in practice). Redis and RabbitMQ are whole servers: the
bench starts private ones (system.py), so their CPU is the bench's alone. The load generator
is this process (the upload client threads and the readiness watcher) with its children but
for the private servers, which are its children too and are counted under their own names."""
from __future__ import annotations

import os
import threading

import psycopg2

_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of one process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _all() -> dict[int, tuple[int, float]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            got = _stat(int(entry))
            if got is not None:
                out[int(entry)] = got
    return out


def tree_cpu(root: int, table: dict[int, tuple[int, float]] | None = None,
             exclude: frozenset[int] | set[int] = frozenset()) -> float:
    """CPU seconds of a process and its live descendants, leaving out the subtrees rooted at
    the pids in `exclude`."""
    table = table if table is not None else _all()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in exclude and pid != root:
            continue
        if pid in table:
            total += table[pid][1]
        todo.extend(children.get(pid, ()))
    return total


class CpuSplit:
    """`with CpuSplit(trees, database_url) as split:` … `split.seconds` → {name: CPU s}.

    trees: name → root pid of a process tree (a service, a private server)."""

    def __init__(self, trees: dict[str, int], database_url: str | None, database: str | None,
                 client_backends: set[int] = frozenset()):
        """client_backends: Postgres backends of the bench's own connections (the readiness
        watcher), counted with the load generator rather than with Postgres."""
        self.trees, self.database_url, self.database = trees, database_url, database
        self.client_backends = set(client_backends)
        self.seconds: dict[str, float] = {}
        self._start: dict[str, float] = {}
        self._backends: dict[int, list[float]] = {}     # pid → [first seen, last seen] CPU s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_backends, daemon=True)

    def _sample_backends(self) -> None:
        conn = psycopg2.connect(self.database_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                while True:
                    cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                                "AND pid <> pg_backend_pid()", (self.database,))
                    for (pid,) in cur.fetchall():
                        got = _stat(pid)
                        if got is None:
                            continue
                        seen = self._backends.setdefault(pid, [None, got[1]])
                        if seen[0] is None:
                            # A backend already there at the start counts from then, a new
                            # one from its first instruction.
                            seen[0] = got[1] if not self._started else 0.0
                        seen[1] = got[1]
                    self._started = True
                    if self._stop.wait(1.0):
                        return
        finally:
            conn.close()

    def _counted_apart(self) -> frozenset[int]:
        return frozenset(self.trees.values())

    def __enter__(self) -> CpuSplit:
        table = _all()
        self._start = {name: tree_cpu(pid, table) for name, pid in self.trees.items()}
        # The private Redis and RabbitMQ are this process's children, and counted apart:
        # left out of the client's tree, or they would be counted twice.
        self._self_start = tree_cpu(os.getpid(), table, self._counted_apart())
        self._started = False
        if self.database_url:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        table = _all()
        self.seconds = {name: tree_cpu(pid, table) - self._start[name]
                        for name, pid in self.trees.items()}
        if self.database_url:
            self._stop.set()
            self._thread.join()
            for pid, seen in self._backends.items():
                got = _stat(pid)
                if got is not None:
                    seen[1] = got[1]
            spent = {pid: last - first for pid, (first, last) in self._backends.items()}
            self.seconds["postgres (OnePic's backends)"] = sum(
                s for pid, s in spent.items() if pid not in self.client_backends)
            client_db = sum(s for pid, s in spent.items() if pid in self.client_backends)
        else:
            client_db = 0.0
        self.seconds["load generator (bench client and its watcher's queries)"] = (
            tree_cpu(os.getpid(), table, self._counted_apart()) - self._self_start + client_db)
