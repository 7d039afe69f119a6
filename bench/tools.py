"""Processes, ports and memory for the benchmarks: start a server in its own session (so it
stops with its children and nothing else), wait for it, and sample its peak RSS."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
# Debian package for each command the benchmarks run; `ensure_tools` installs what is absent.
TOOLS = {"wrk": "wrk", "nginx": "nginx-light"}


def which(cmd: str) -> str | None:
    # nginx lives in /usr/sbin, which is not on every user's PATH.
    return shutil.which(cmd) or shutil.which(cmd, path="/usr/sbin:/sbin")


def ensure_tools() -> None:
    """apt-get install the Debian packages of missing tools (a fresh machine has none)."""
    missing = [pkg for cmd, pkg in TOOLS.items() if which(cmd) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench needs {', '.join(missing)}: run `sudo apt-get install -y {' '.join(missing)}`")
    print(f"installing {' '.join(missing)} (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, timeout=600)
    # The package's own nginx service is not what we measure; ours runs with its own config.
    subprocess.run(["sh", "-c", "command -v service >/dev/null && service nginx stop"],
                   capture_output=True, timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child process leading its own session; stop() signals that group only."""

    def __init__(self, name: str, argv: list[str], env: dict | None = None,
                 log: Path | None = None, cwd: Path = ROOT):
        self.name = name
        self.log = log or VAR / "log" / f"{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 10.0) -> None:
        if self.popen.poll() is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGTERM)
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(5)
        except ProcessLookupError:
            pass


def wait_http(url: str, timeout: float, proc: Proc | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited before {url} answered:\n{proc.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as e:
            if e.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:g}s"
                       + (f":\n{proc.tail()}" if proc else ""))


_PAGE = os.sysconf("SC_PAGE_SIZE")


def _proc_table() -> tuple[dict[int, list[int]], dict[int, int]]:
    """(children by parent pid, resident bytes by pid) of every process, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        child, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(child)
        rss[child] = int(fields[21]) * _PAGE
    return children, rss


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all of its descendants (summed, so pages shared by
    forked workers count once per process: the conservative figure)."""
    children, rss = _proc_table()
    return sum(rss.get(p, 0) for p in _tree(pid, children))


def _rss(pid: int) -> int:
    """Resident bytes of one process (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


class PeakRss:
    """Samples the resident bytes of `pid` and its descendants every `interval` s in a thread
    while the `with` block runs.

    Which processes make up the tree is found by a scan of all of /proc only every
    `rescan` s; each sample in between reads the members' statm alone. A full scan costs
    ~3 ms of CPU with ~140 processes on the machine (more when other suites run), and this
    thread runs in the bench client, whose CPU the write suite counts against each upload:
    ten scans a second were a third of the client's share. The trees measured (the
    resizer and its long-lived variant child, render's workers) change rarely; a child
    started anew is counted from the next scan."""

    def __init__(self, pid: int, interval: float = 0.1, rescan: float = 1.0):
        self.pid, self.interval, self.rescan = pid, interval, rescan
        self.peak = 0
        self._members: list[int] = [pid]
        self._scanned = float("-inf")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        now = time.monotonic()
        if now - self._scanned >= self.rescan:
            self._scanned = now
            children, rss = _proc_table()
            self._members = _tree(self.pid, children)
            return sum(rss.get(p, 0) for p in self._members)
        return sum(_rss(p) for p in self._members)

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, self._sample())
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.pid))
