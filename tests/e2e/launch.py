"""Start and stop a whole OnePic system for the end-to-end tests, with the same commands a
developer uses (`python -m services.standalone`, `python -m deploy.local up|down`), on free
ports and private data, so a developer's own copy can keep running beside it.

Nothing here imports the services: they are separate processes reached over HTTP.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.ports import free_ports

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
POSTGRES = "postgresql://root@127.0.0.1:5432"
# Reserved for these tests and flushed at start. Two e2e runs at once on one machine must not
# share it (each flushes it), so a second run names another with E2E_REDIS_DB; the database,
# queues and var dir are per run.
REDIS_DB = int(os.environ.get("E2E_REDIS_DB", "14"))
# A small cap keeps the 413 test cheap; it is the real setting, read by the real upload path.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# Short, so the expiry of a direct upload and its sweep can be watched (every other upload
# test completes within a second or two).
UPLOAD_TICKET_TTL = 8


@dataclass
class System:
    mode: str
    base_url: str
    env: dict[str, str]
    workdir: Path
    stop_actions: list = field(default_factory=list)


# What the launched processes inherit from the test run: what a process needs to run at all
# (find programs, locale, temp dir). Everything else is set explicitly below, so a developer's
# SMTP_URL, MICRO_CACHE_SECONDS, UP_WORKERS, AWS_* … cannot change the system under test.
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


def _base_env() -> dict[str, str]:
    env = {k: os.environ[k] for k in INHERITED if k in os.environ}
    # RATE_LIMITS=off: the suite signs up, uploads and draws far more from one address than a
    # person would; the limits have tests of their own (tests/security).
    env.update(MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES), PYTHONUNBUFFERED="1", LOG_LEVEL="INFO",
               RATE_LIMITS="off", UPLOAD_TICKET_TTL=str(UPLOAD_TICKET_TTL))
    return env


def _start_or_clean_up(system: System, start) -> None:
    """Run `start()`; if anything escapes it (a failure, a timeout, Ctrl-C), stop what was
    started and remove its data before passing the exception on."""
    try:
        start()
    except BaseException as e:
        try:
            stop(system)
        except Exception as cleanup:  # noqa: BLE001 - the start failure is the one to report
            e.add_note(f"cleaning up after the failed start also failed: {cleanup!r}")
        raise


def wait_ready(url: str, timeout: float, alive=lambda: True, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"process exited before {url} was ready\n{_tail(log)}")
        try:
            r = requests.get(url, timeout=2)
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.text[:300]}"
        except requests.RequestException as e:
            last = repr(e)
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s: {last}\n{_tail(log)}")


def _tail(log: Path | None, lines: int = 60) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def start_standalone(workdir: Path) -> System:
    (port,) = free_ports(1)
    env = _base_env()
    env.update(PORT=str(port), DATABASE_URL=f"sqlite:///{workdir}/onepic.db",
               BLOB_URL=f"file://{workdir}/blobs")
    log = workdir / "standalone.log"
    migrate = subprocess.run([PY, "-m", "services.metadata.migrate"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    if migrate.returncode != 0:
        raise RuntimeError(f"migrate failed:\n{migrate.stdout}\n{migrate.stderr}")
    with open(log, "ab") as out:
        proc = subprocess.Popen([PY, "-m", "services.standalone"], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    system = System("standalone", f"http://127.0.0.1:{port}", env, workdir)
    system.stop_actions.append(lambda: _stop_group(proc))
    _start_or_clean_up(system, lambda: wait_ready(system.base_url + "/readyz", 60,
                                                  lambda: proc.poll() is None, log))
    return system


def _stop_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def start_services(workdir: Path, redis_db: int = REDIS_DB) -> System:
    """`redis_db`: another tier's system may be up at the same time (tests/browser's), and
    each flushes its db at start."""
    import redis

    from deploy.local.seaweedfs import free_port_base

    tag = uuid.uuid4().hex[:10]
    origin, metadata, upload, render, resizer, worker, internal, mail, ingress = free_ports(9)
    env = _base_env()
    env.update(PORT=str(origin), METADATA_PORT=str(metadata), UPLOAD_PORT=str(upload),
               INTERNAL_PORT=str(internal), MAIL_PORT=str(mail),
               RENDER_PORT=str(render), RESIZER_METRICS_PORT=str(resizer),
               METADATA_WORKER_PORT=str(worker),
               # A second front door that routes by path only, as the Kubernetes Ingress does
               # (tests/e2e/test_ingress_routing.py).
               UP_INGRESS_PORT=str(ingress),
               UP_DATABASE=f"onepic_e2e_{tag}", UP_POSTGRES=POSTGRES, UP_REDIS_DB=str(redis_db),
               QUEUE_PREFIX=f"onepic_e2e_{tag}", UP_VAR_DIR=str(workdir / "up"), UP_TIMEOUT="90",
               UP_S3_PORT=str(free_port_base()))  # SeaweedFS, and its other ports
    redis.Redis(host="127.0.0.1", port=6379, db=redis_db).flushdb()
    system = System("services", f"http://127.0.0.1:{origin}", env, workdir)
    # The launcher's own inverse of `up`: stop, then drop the database and queues (logs kept).
    system.stop_actions.append(lambda: subprocess.run(
        [PY, "-m", "deploy.local", "purge"], cwd=ROOT, env=env, timeout=180, check=True))

    def start() -> None:
        up = subprocess.run([PY, "-m", "deploy.local", "up"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=240)
        if up.returncode != 0:
            raise RuntimeError(f"`python -m deploy.local up` failed:\n{up.stdout}\n{up.stderr}")
        # `up` promised this; checked here too so a broken launcher cannot pass unnoticed.
        # The origin (nginx) answers its own /healthz; each service's /readyz is on its port.
        wait_ready(system.base_url + "/healthz", 10)
        for url in service_ready_urls(system):
            wait_ready(url, 10)

    _start_or_clean_up(system, start)
    return system


def service_ready_urls(system: System) -> list[str]:
    """Each service's own /readyz in services mode (not reachable through the origin)."""
    return [f"http://127.0.0.1:{system.env[k]}/readyz"
            for k in ("METADATA_PORT", "UPLOAD_PORT", "RENDER_PORT", "RESIZER_METRICS_PORT",
                      "METADATA_WORKER_PORT")]


def stop(system: System) -> None:
    """Run every stop action even if one fails; re-raise the first failure."""
    errors = []
    for action in reversed(system.stop_actions):
        try:
            action()
        except Exception as e:  # noqa: BLE001 - keep stopping the rest
            errors.append(e)
    system.stop_actions.clear()
    if errors:
        raise errors[0]
