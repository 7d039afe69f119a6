"""One OnePic `make up` copy on private servers, with the levers the fault tests pull.

`python -m deploy.local up` is pointed at a private PostgreSQL, Redis and RabbitMQ
(UP_POSTGRES, UP_REDIS, BROKER_URL) on free ports, so killing, stopping or flushing them
disturbs no one else. A process the test kills is restarted the way production would: by
`make up`'s supervisor; the test only waits for its new pid.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from deploy.local.seaweedfs import free_port_base
from tests.e2e.launch import ROOT, _base_env, wait_ready
from tests.ports import free_ports

from .servers import PrivatePostgres, PrivateRabbit, PrivateRedis

PY = sys.executable
# The image tests' budgets: a normal 1200×900 JPEG takes 50–200 ms and little memory; the
# slow image (49 MP interlaced 8-bit PNG) over a second in ~225 MB, the poison one (the same
# in 16-bit RGBA) over 300 MB (tests/fault/test_fault_images.py).
RESIZE_TIMEOUT = 0.5
RESIZE_MAX_MEMORY_MB = 280
SUPERVISOR_GRACE = 30.0


class FaultSystem:
    def __init__(self, root: Path):
        self.root = root
        for d in ("redis", "rabbit"):
            (root / d).mkdir()
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis(root / "redis")
        self.rabbit = PrivateRabbit(root / "rabbit")
        gateway, metadata, upload, render, resizer, worker, internal, mail = free_ports(8)
        tag = uuid.uuid4().hex[:8]
        env = _base_env()
        env.update(PORT=str(gateway), METADATA_PORT=str(metadata), UPLOAD_PORT=str(upload),
                   RENDER_PORT=str(render), RESIZER_METRICS_PORT=str(resizer),
                   METADATA_WORKER_PORT=str(worker), INTERNAL_PORT=str(internal),
                   MAIL_PORT=str(mail),
                   # Fixed here, so a process this test restarts from its own plan speaks
                   # to the others with the same token (deploy.local generates one per plan).
                   INTERNAL_TOKEN=secrets.token_urlsafe(32), UP_POSTGRES=self.postgres.url,
                   UP_DATABASE=f"onepic_fault_{tag}", UP_REDIS=self.redis.url, UP_REDIS_DB="0",
                   BROKER_URL=self.rabbit.url, QUEUE_PREFIX=f"fault{tag}",
                   UP_VAR_DIR=str(root / "up"), UP_TIMEOUT="120", RATE_LIMITS="off",
                   RESIZE_TIMEOUT=str(RESIZE_TIMEOUT),
                   RESIZE_MAX_MEMORY_MB=str(RESIZE_MAX_MEMORY_MB), UP_WORKERS="2",
                   # SeaweedFS and its other ports: not weed's defaults, which a developer's
                   # `make up` or another test run may hold.
                   UP_S3_PORT=str(free_port_base()))
        self.env = env
        self.base_url = f"http://127.0.0.1:{gateway}"
        self.ports = {"metadata": metadata, "upload": upload, "render": render,
                      "resizer": resizer, "metadata-worker": worker}

    # -- life cycle ----------------------------------------------------------------------
    def start(self) -> None:
        self.postgres.init()
        self.postgres.start()
        self.redis.start()
        self.rabbit.start()
        up = subprocess.run([PY, "-m", "deploy.local", "up"], cwd=ROOT, env=self.env,
                            capture_output=True, text=True, timeout=300)
        if up.returncode != 0:
            raise RuntimeError(f"deploy.local up failed:\n{up.stdout}\n{up.stderr}")
        # The origin (nginx) answers its own /healthz; each service's /readyz is on its port.
        wait_ready(self.base_url + "/healthz", 30)
        for name in ("metadata", "upload", "render"):
            wait_ready(f"http://127.0.0.1:{self.ports[name]}/readyz", 30)

    def stop(self) -> None:
        try:
            subprocess.run([PY, "-m", "deploy.local", "down"], cwd=ROOT, env=self.env,
                           capture_output=True, timeout=120)
        finally:
            for server in (self.rabbit, self.redis):
                server.stop()
            self.postgres.remove()

    # -- processes -----------------------------------------------------------------------
    def pid(self, name: str) -> int | None:
        """The pid `name` runs as now, as `make status` reports it (`<name> pid <pid>, …`)."""
        done = subprocess.run([PY, "-m", "deploy.local", "status"], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=60)
        for line in done.stdout.splitlines():
            m = re.match(r"(\S+)\s+pid (\d+)", line)
            if m and m.group(1) == name:
                return int(m.group(2))
        return None

    def kill(self, name: str) -> int:
        """kill -9 the process and its children (its process group), as the OOM killer or
        a crash would."""
        pid = self.pid(name)
        assert pid, f"{name} is not running"
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)
        return pid

    def restarted(self, name: str, old_pid: int) -> None:
        """Back to running under a new pid: the supervisor's restart (deploy/local/procs.py),
        as the kubelet would."""
        deadline = time.monotonic() + SUPERVISOR_GRACE
        while time.monotonic() < deadline:
            pid = self.pid(name)
            if pid and pid != old_pid:
                return
            time.sleep(0.1)
        raise AssertionError(f"{name} was not restarted within {SUPERVISOR_GRACE}s")

    def report(self, name: str, lines: int = 40) -> str:
        """The broker's queues and consumers and the last records `name` logged (without
        pika's chatter and the tracebacks), for the message of a failed test: a stall shows
        where the message is and what the consumers did last."""
        log = self.root / "up" / "log" / f"{name}.log"
        text = log.read_text(errors="replace").splitlines() if log.exists() else []
        records = [line for line in text if line[:2].isdigit() and " pika." not in line]
        return (f"RabbitMQ:\n{self.rabbit.report()}\n{name}.log, last {lines} records:\n"
                + "\n".join(records[-lines:]))

    def ops(self, name: str, path: str) -> requests.Response:
        return requests.get(f"http://127.0.0.1:{self.ports[name]}{path}", timeout=5)


def converge(check, timeout: float, what: str, interval: float = 0.05) -> float:
    """Seconds until `check()` is true; fail after `timeout`."""
    started = time.monotonic()
    last = None
    while True:
        try:
            if check():
                return time.monotonic() - started
        except (requests.RequestException, AssertionError) as e:
            last = e
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout}s (last: {last!r})")
        time.sleep(interval)


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
