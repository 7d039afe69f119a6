"""Start, watch and stop the processes of a plan: pid files in <var>/run, logs in <var>/log.

Each process leads its own session so `down` can stop it together with its children
(gunicorn workers) by signalling its process group, and nothing else.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .plan import ROOT, Plan, Process


def pid_of(plan: Plan, name: str) -> int | None:
    """The pid recorded for `name` if that process is still alive, else None."""
    path = plan.run_dir / f"{name}.pid"
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def start(plan: Plan, proc: Process) -> subprocess.Popen:
    metrics_dir = proc.env.get("PROMETHEUS_MULTIPROC_DIR")
    if metrics_dir:  # values of a previous run's workers must not be added to this one's
        shutil.rmtree(metrics_dir, ignore_errors=True)
        Path(metrics_dir).mkdir(parents=True)
    log = open(plan.log_dir / f"{proc.name}.log", "ab")
    child = subprocess.Popen(proc.argv, env=proc.env, cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    (plan.run_dir / f"{proc.name}.pid").write_text(str(child.pid))
    return child


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(plan: Plan, children: dict[str, subprocess.Popen], timeout: float) -> str | None:
    """Wait until every process answers /readyz with 200 (or, without a port, keeps running).
    Returns None when all are ready, else the name of one that is not."""
    pending = {p.name: p for p in plan.processes}
    deadline = time.monotonic() + timeout
    while True:
        for name, proc in list(pending.items()):
            if children[name].poll() is not None:
                return name  # died: no point waiting for the rest
            if proc.ready_url is None or is_ready(proc.ready_url):
                del pending[name]
        if not pending:
            # The portless worker gets the same grace the others needed to come up.
            return next((n for n, c in children.items() if c.poll() is not None), None)
        if time.monotonic() > deadline:
            return next(iter(pending))
        time.sleep(0.25)


def tail(plan: Plan, name: str, lines: int = 40) -> str:
    path = plan.log_dir / f"{name}.log"
    if not path.exists():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def stop(plan: Plan, name: str, grace: float = 15.0) -> bool:
    """SIGTERM the process group of `name`, SIGKILL after `grace` s. True if it was running."""
    pid = pid_of(plan, name)
    path = plan.run_dir / f"{name}.pid"
    if pid is None:
        path.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _group_alive(pid):
        time.sleep(0.1)
    if _group_alive(pid):
        _signal_group(pid, signal.SIGKILL)
    path.unlink(missing_ok=True)
    return True


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the child leads its own session: pgid == pid
    except ProcessLookupError:
        pass


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    try:  # reap our own child if `up` is the one stopping it, so it is not a zombie
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return True
