"""`make up` supervises its processes: one that dies is started again (as the kubelet
restarts a container), with nothing of the dead one left serving, and `make status` shows the
new pid and the restart."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from . import launch


def _status(system) -> dict[str, dict]:
    done = subprocess.run([sys.executable, "-m", "deploy.local", "status"], cwd=launch.ROOT,
                          env=system.env, capture_output=True, text=True, timeout=60, check=True)
    out = {}
    for line in done.stdout.splitlines():
        m = re.match(r"(\S+)\s+pid (\d+)(.*), restarts (\d+)$", line)
        if m:
            out[m[1]] = {"pid": int(m[2]), "rest": m[3], "restarts": int(m[4])}
    return out


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.mark.parametrize("name", ["render", "metadata", "nginx"])
def test_a_killed_process_comes_back_and_leaves_nothing_behind(system, name):
    if system.mode == "standalone":
        pytest.skip("standalone is one process, supervised by whoever runs it")
    before = _status(system)
    assert set(before) >= {"metadata", "upload", "render", "metadata-worker", "resizer", "nginx"}
    victim = before[name]["pid"]
    os.kill(victim, signal.SIGKILL)  # no chance to clean up: its workers are orphaned
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _status(system).get(name)
        if now and now["pid"] != victim and "not ready" not in now["rest"]:
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"{name} did not come back: {_status(system)}")
    log = Path(system.env["UP_VAR_DIR"]) / "log" / "supervisord.log"
    assert now["restarts"] == before[name]["restarts"] + 1, (
        before, now, log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)")
    # Its workers went with it (deploy/local/reaper.py): none serves as a stale copy.
    deadline = time.monotonic() + 10
    while _group_alive(victim) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(victim)
    r = requests.get(system.base_url + "/nobody-here?s=16", timeout=30)
    assert r.status_code == 200
