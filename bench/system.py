"""A whole OnePic for the benchmarks, started with the developer's launcher
(`python -m deploy.local up`) on its own ports, database, Redis db, queue prefix and var dir,
so a running `make up` is left alone; plus the API calls that put a picture in it."""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import subprocess
import time
import uuid

import requests

from deploy.local import plan as local_plan
from deploy.local import procs
from deploy.local.purge import purge
from deploy.local.seaweedfs import for_deployment, free_port_base

from .tools import PY, ROOT, VAR, free_port

POSTGRES = "postgresql://root@127.0.0.1:5432"
PASSWORD = "bench password 123"  # noqa: S105 - the throwaway bench accounts' password
# Quick mode (the test suite) and a full run get separate data, so neither resets the other's.
# A full run keeps its data under fixed names until the next one resets them (to look at
# afterwards); every quick run gets its own database, queue prefix and var dir, removed when
# it stops. The Redis db is per mode only: two quick runs at once flush each other's read
# model. The end-to-end tests use Redis dbs 14 and 15.
NAMES = {False: ("onepic_bench", 13, "up"), True: ("onepic_bench_quick", 12, "quick-up")}
# What the launched processes inherit; every OnePic setting is set below, so a developer's
# SMTP_URL, MICRO_CACHE_SECONDS, UP_WORKERS, … cannot change what is measured.
INHERITED = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")


class System:
    def __init__(self, quick: bool = False, servers: dict[str, str] | None = None):
        """servers: env overrides pointing the system at private servers (servers.py),
        e.g. {"UP_REDIS": …, "BROKER_URL": …}."""
        self.quick = quick
        self.database, self.redis_db, var = NAMES[quick]
        tag = os.environ.get("BENCH_TAG", "")
        if tag and not quick:
            # Two full runs on one machine (several checkouts) must not purge each other's.
            if not re.fullmatch(r"[a-z0-9_]{1,20}", tag):
                raise ValueError("BENCH_TAG: 1-20 of a-z, 0-9, _")
            self.database, var = f"{self.database}_{tag}", f"{var}-{tag}"
        if quick:
            tag = uuid.uuid4().hex[:8]
            self.database, var = f"{self.database}_{tag}", f"{var}-{tag}"
        ports = {k: free_port() for k in ("PORT", "METADATA_PORT", "UPLOAD_PORT", "RENDER_PORT",
                                          "RESIZER_METRICS_PORT", "METADATA_WORKER_PORT",
                                          "INTERNAL_PORT", "MAIL_PORT")}
        self.var = VAR / var
        env = {**_clean_env(), **{k: str(v) for k, v in ports.items()},
               "UP_DATABASE": self.database, "UP_POSTGRES": POSTGRES,
               "UP_REDIS_DB": str(self.redis_db), "QUEUE_PREFIX": self.database,
               "UP_VAR_DIR": str(self.var), "UP_TIMEOUT": "90",
               "UP_S3_PORT": str(free_port_base()),  # SeaweedFS, and its other ports
               "LOG_LEVEL": "INFO",
               # One address uploads and draws far more than a person would: the measurement
               # is of the pipeline, not of the abuse limits. The token is fixed here, so the
               # processes the bench starts itself (render.py) speak to metadata with it.
               "RATE_LIMITS": "off", "INTERNAL_TOKEN": secrets.token_urlsafe(32),
               **(servers or {})}
        self.launcher_env = env
        self.plan = local_plan.build(env)
        self.env = self.plan.env          # what every service process runs with
        self.base = f"http://127.0.0.1:{ports['PORT']}"
        self.render_url = self.plan.urls["render"]
        self.database_url = f"{POSTGRES}/{self.database}"

    def up(self) -> System:
        try:
            purge(self.plan)  # start from nothing: no database, read model or blobs of a last run
            # purge keeps logs; a last run's verification links would be read as this run's.
            (self.plan.log_dir / "mail.log").unlink(missing_ok=True)
            done = subprocess.run([PY, "-m", "deploy.local", "up"], cwd=ROOT,
                                  env=self.launcher_env, capture_output=True, text=True,
                                  timeout=240)
            if done.returncode != 0:
                raise RuntimeError(f"deploy.local up failed:\n{done.stdout}\n{done.stderr}")
            # purge removed the SeaweedFS keys this plan was built with; `up` made new ones.
            self.env.update(for_deployment(self.plan.var, self.env).client_env())
        except BaseException as e:  # a timeout or Ctrl-C too: stop what started, then re-raise
            try:
                self.down()
            except Exception as cleanup:  # noqa: BLE001 - the start failure is the one to report
                e.add_note(f"cleaning up after the failed start also failed: {cleanup!r}")
            raise
        return self

    def down(self) -> None:
        """Stop every process; a quick run also removes its database, queues and var dir."""
        done = subprocess.run([PY, "-m", "deploy.local", "down"], cwd=ROOT,
                              env=self.launcher_env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"deploy.local down failed:\n{done.stdout}\n{done.stderr}")
        if self.quick:
            purge(self.plan)
            shutil.rmtree(self.var, ignore_errors=True)  # its logs too: nobody reads them

    def process_names(self) -> list[str]:
        return [p.name for p in self.plan.processes]

    def pid(self, name: str) -> int:
        """The pid `name` runs as now (supervised: a restart changes it)."""
        pid = procs.pid_of(self.plan, name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        return pid

    # -- the public API --------------------------------------------------------------------
    def sign_up(self, username: str, email: str | None = None) -> str:
        body = {"username": username, "password": PASSWORD, **({"email": email} if email else {})}
        r = requests.post(f"{self.base}/v1/users", json=body, timeout=30)
        r.raise_for_status()
        return r.json()["token"]

    def upload(self, token: str, data: bytes, session=requests) -> dict:
        r = session.post(f"{self.base}/v1/photos", data=data, timeout=60, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"})
        r.raise_for_status()
        return r.json()

    def activate(self, token: str, photo_id: str) -> None:
        r = requests.put(f"{self.base}/v1/me/active-photo", json={"photo_id": photo_id},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
        r.raise_for_status()

    def wait_ready(self, token: str, photo_id: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = requests.get(f"{self.base}/v1/photos/{photo_id}", timeout=30,
                             headers={"Authorization": f"Bearer {token}"})
            if r.ok and r.json().get("status") == "ready":
                return
            time.sleep(0.1)
        raise RuntimeError(f"photo {photo_id} not ready after {timeout:g}s")

    def verify_email(self, token: str, email: str, timeout: float = 10) -> str:
        """Confirm, as the account of `token`, the verification link that `make up`'s mail
        sink printed to its log (log/mail.log), and return the address's SHA-256 hash, the
        /avatar/<hash> name."""
        log = self.plan.log_dir / "mail.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            found = re.findall(r"/v1/emails/verify\?token=([\w-]+)", text)
            if found:
                r = requests.post(self.base + "/v1/emails/verify", json={"token": found[-1]},
                                  headers={"Authorization": f"Bearer {token}"}, timeout=30)
                r.raise_for_status()
                return hashlib.sha256(email.strip().lower().encode()).hexdigest()
            time.sleep(0.1)
        raise RuntimeError(f"no verification link for {email} in {log}")


def _clean_env() -> dict:
    return {k: os.environ[k] for k in INHERITED if k in os.environ}
