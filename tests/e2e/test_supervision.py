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
from .client import sign_up
from .images import RED, close_to, decode, jpeg


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


# Standalone is one process, supervised by whoever runs it: services mode only.
@pytest.mark.parametrize("system", ["services"], indirect=True)
@pytest.mark.parametrize("name", ["render", "metadata", "nginx", "seaweedfs"])
def test_a_killed_process_comes_back_and_leaves_nothing_behind(system, name):
    before = _status(system)
    assert set(before) >= {"seaweedfs", "metadata", "upload", "render", "metadata-worker",
                           "resizer", "nginx"}
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
    if name == "seaweedfs":  # the bytes are back too: an upload is stored and read again
        _upload_and_read(system.base_url)


def _upload_and_read(base_url: str) -> None:
    user = sign_up(base_url)
    deadline = time.monotonic() + 30
    while (r := user.upload(jpeg(RED, size=(40, 30)))).status_code == 503:
        # Its S3 port answers (ready) a few seconds before its volume server takes writes.
        assert time.monotonic() < deadline, r.text
        assert r.headers.get("Retry-After"), r.headers
        time.sleep(1)
    assert r.status_code == 201, r.text
    got = requests.get(f"{base_url}/i/{r.json()['id']}?s=32", timeout=30)
    assert got.status_code == 200 and close_to(decode(got.content), RED), got.headers
