"""The metadata worker as a process: a database that is down at start is waited for (alive,
not ready), and SIGTERM stops it cleanly."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, path: str):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_waits_for_a_database_that_is_down_and_probes_say_so():
    port, dead = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"postgresql://root:pw-secret@127.0.0.1:{dead}/x",
           "BROKER_URL": "memory://", "CACHE_URL": "memory://", "METADATA_WORKER_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.metadata.worker"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = fetch(port, "/healthz")
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[0]
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert health[0] == 200
        status, body = fetch(port, "/readyz")
        assert status == 503 and body["failed"][0]["dependency"] == "database"
        time.sleep(1)
        assert proc.poll() is None, "exited instead of waiting for the database"
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "database not reachable" in output and "pw-secret" not in output
