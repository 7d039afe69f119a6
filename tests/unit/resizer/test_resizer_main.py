import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from services.resizer.__main__ import serve_ops

ROOT = Path(__file__).resolve().parents[3]


def fetch(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def ops():
    state = {"broker_up": True}

    def broker_check():
        if not state["broker_up"]:
            raise ConnectionError("down")

    server = serve_ops(0, {"broker": broker_check}, host="127.0.0.1", service="resizer")
    yield server.server_address[1], state
    server.shutdown()
    server.server_close()


def test_health_readiness_and_metrics(ops):
    port, state = ops
    assert fetch(port, "/healthz")[0] == 200
    assert fetch(port, "/readyz")[0] == 200
    state["broker_up"] = False
    status, body = fetch(port, "/readyz")
    assert status == 503
    assert json.loads(body)["failed"] == [{"dependency": "broker", "error": "ConnectionError"}]
    status, body = fetch(port, "/metrics")
    assert status == 200 and b"onepic_resize_duration_seconds" in body
    assert fetch(port, "/nope")[0] == 404


def test_waits_for_an_unreachable_broker_without_leaking_credentials(tmp_path):
    # A broker that is down at start is not a reason to exit (the supervisor would only
    # restart us into the same outage): alive, not ready, retrying, credentials never logged.
    import signal
    import socket
    import time

    from tests import probes
    from tests.probes import first_answer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BLOB_URL": f"file://{tmp_path}/blobs",
           "BROKER_URL": "amqp://onepic:hunter2secret@127.0.0.1:1/%2f",
           "RESIZER_METRICS_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "services.resizer"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert first_answer(proc, port, "/healthz")[0] == 200
        status, body = probes.fetch(port, "/readyz")
        assert status == 503 and body["failed"][0]["dependency"] == "broker"
        time.sleep(1.5)  # a reconnect attempt or two
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert "BROKER_URL" in output
    assert "hunter2secret" not in output


def test_fails_fast_on_a_broker_url_it_cannot_use(tmp_path):
    env = {**os.environ, "BLOB_URL": f"file://{tmp_path}/blobs",
           "BROKER_URL": "kafka://onepic:hunter2secret@127.0.0.1:1/", "RESIZER_METRICS_PORT": "0"}
    proc = subprocess.run([sys.executable, "-m", "services.resizer"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "BROKER_URL" in proc.stderr
    assert "hunter2secret" not in proc.stderr + proc.stdout


def test_the_resizer_process_does_not_import_flask():
    # readiness lives in shared/ops.py so the worker (an http.server) needs no web framework.
    code = "import sys, services.resizer.__main__; print('flask' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_one_wedged_consumer_fails_liveness_while_the_other_works(monkeypatch):
    # RESIZER_CONSUMERS=2: consumer 0 keeps beating (idle polls), consumer 1 is stuck on its
    # message. With one heartbeat for both, /healthz stayed 200 and the message waited.
    import threading

    from services.resizer import __main__ as resizer_main
    from shared.config import Settings
    from shared.liveness import Wedged

    now = [1000.0]
    beat_of = {}

    def fake_run(settings, stop, *, blobs, broker, beat):
        beat_of[threading.current_thread().name] = beat

    monkeypatch.setattr(resizer_main, "run", fake_run)
    settings = Settings.from_env({"BROKER_URL": "memory://", "BLOB_URL": "memory://",
                                  "RESIZER_CONSUMERS": "2", "RESIZE_TIMEOUT": "1"})
    threads, alive = resizer_main.consumer_threads(settings, threading.Event(), blobs=None,
                                                   broker=None, clock=lambda: now[0])
    for t in threads:
        t.start()
        t.join()
    beats = [beat_of["resizer-consumer-0"], beat_of["resizer-consumer-1"]]
    alive()  # both just started
    now[0] += 30
    beats[0]()
    alive()  # within max_silence (RESIZE_TIMEOUT + 60 s) for both
    now[0] += 40
    beats[0]()  # consumer 0 idle-polling; consumer 1 silent for 70 s
    with pytest.raises(Wedged):
        alive()
    beats[1]()
    alive()
