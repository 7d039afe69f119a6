"""The metadata worker as a process: a database that is down at start is waited for (alive,
not ready), and SIGTERM stops it cleanly."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.probes import fetch, first_answer

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_waits_for_a_database_that_is_down_and_probes_say_so():
    port, dead = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"postgresql://root:pw-secret@127.0.0.1:{dead}/x",
           "BROKER_URL": "memory://", "CACHE_URL": "memory://", "METADATA_WORKER_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.metadata.worker"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert first_answer(proc, port, "/healthz")[0] == 200
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
