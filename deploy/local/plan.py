"""What `make up` starts: the settings of this local deployment and one entry per process.

Overridable from the environment so the end-to-end tests can run their own copy beside a
developer's: PORT (the nginx origin), METADATA_PORT, INTERNAL_PORT (metadata's internal
API), UPLOAD_PORT, RENDER_PORT, RESIZER_METRICS_PORT, METADATA_WORKER_PORT, MAIL_PORT (the
mail sink, without SMTP_URL), UP_DATABASE (name, created if missing), UP_POSTGRES (server
URL), UP_REDIS (server URL), UP_REDIS_DB, BROKER_URL, QUEUE_PREFIX, UP_VAR_DIR, UP_WORKERS,
UP_TIMEOUT, UP_S3_PORT (the
SeaweedFS S3 port; it also takes the next three and each of those + 10000), UP_INGRESS_PORT
(a second nginx there that routes by path only, as the Kubernetes Ingress does; none when
unset).
INTERNAL_TOKEN is generated per run unless a usable one is given; TRUSTED_PROXIES defaults to
loopback (the front door). Any other OnePic setting (MAX_UPLOAD_BYTES, …) passes through.
"""
from __future__ import annotations

import os
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import DEV_INTERNAL_TOKEN, MIN_INTERNAL_TOKEN, Settings
from shared.routing import HEALTH_PATH

# The body nginx lets through: the cap plus the multipart envelope around the file;
# services/upload applies the exact cap to the file and answers 413 in the API's words.
from shared.uploads import MULTIPART_OVERHEAD

from . import nginx, seaweedfs

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str | None  # None: no HTTP port; "ready" means "still running"
    # Started with supervisord, before the rest: a store they need when they start (`up`
    # starts the others once it is ready).
    first: bool = False
    stop_wait: int = 15    # seconds from SIGTERM to SIGKILL


@dataclass(frozen=True)
class Plan:
    var: Path
    postgres: str
    database: str
    env: dict[str, str]          # environment shared by every process
    processes: list[Process]
    origin: nginx.Origin         # the public front door's configuration
    ingress: nginx.Origin | None = None  # UP_INGRESS_PORT: the Ingress's routing, rehearsed
    urls: dict[str, str] = field(default_factory=dict)  # service → its own base URL

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def log_dir(self) -> Path:
        return self.var / "log"


def gunicorn_argv(factory: str, port: int, workers: str, host: str = "127.0.0.1",
                  call: str = "create_app()") -> list[str]:
    """gthread: two cores, so few processes, a few threads each for I/O-bound requests.
    No control socket: gunicorn 27 opens one at $HOME/.gunicorn/gunicorn.ctl by default, which
    every instance on a machine would share and a read-only container cannot create; nothing
    here uses it (the supervisor or the kubelet signals the process instead)."""
    return [sys.executable, "-m", "gunicorn", f"{factory}:{call}",
            "-b", f"{host}:{port}", "-w", workers, "-k", "gthread", "--threads", "4",
            "--graceful-timeout", "10", "--timeout", "60", "--no-control-socket"]


def render_argv(port: int, workers: str, host: str = "127.0.0.1") -> list[str]:
    """Render under granian, chosen by measurement (bench/render.py, docs/decisions/0003):
    its Rust HTTP layer costs a fraction of gunicorn's per request. One blocking thread per
    worker: the warm path holds the GIL throughout, so more threads only contend for it."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory",
            "--no-ws", "--host", host, "--port", str(port), "--workers", workers,
            "--blocking-threads", "1",
            # One worker crashing must not stop render: granian starts a new one (after 1 s,
            # not its default 3.5: the other workers carry the load meanwhile).
            "--respawn-failed-workers", "--respawn-interval", "1",
            "services.render.app:create_app"]


def _workers_share_metrics(env: dict[str, str], var: Path, name: str) -> dict[str, str]:
    """Several worker processes serve one port, so /metrics must add up all of them
    (shared/metrics.py); each service gets its own folder, emptied by `up` (procs.start)."""
    return {**env, "PROMETHEUS_MULTIPROC_DIR": str(var / "metrics" / name)}


def nginx_binary() -> str:
    # Debian's nginx lives in /usr/sbin, which is not on every user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin") or "nginx"


def build(environ: dict[str, str] | None = None) -> Plan:
    e = dict(os.environ if environ is None else environ)
    port = int(e.get("PORT") or 8080)
    ports = {name: int(e.get(f"{name.upper()}_PORT") or default) for name, default in
             (("metadata", 8101), ("upload", 8102), ("render", 8103))}
    metrics_port = int(e.get("RESIZER_METRICS_PORT") or 8104)
    worker_port = int(e.get("METADATA_WORKER_PORT") or 8105)
    # metadata's internal API listens apart from its public one (off the public routing).
    internal_port = int(e.get("INTERNAL_PORT") or 8106)
    mail_port = int(e.get("MAIL_PORT") or 8107)
    var = Path(e.get("UP_VAR_DIR") or ROOT / "var" / "up").resolve()
    postgres = (e.get("UP_POSTGRES") or "postgresql://root@127.0.0.1:5432").rstrip("/")
    database = e.get("UP_DATABASE") or "onepic"
    redis = (e.get("UP_REDIS") or "redis://127.0.0.1:6379").rstrip("/")
    workers = e.get("UP_WORKERS") or "2"
    urls = {name: f"http://127.0.0.1:{p}" for name, p in ports.items()}

    env = dict(e)
    token = e.get("INTERNAL_TOKEN") or ""
    if token == DEV_INTERNAL_TOKEN or len(token) < MIN_INTERNAL_TOKEN:
        # The services refuse the public default outside standalone: a fresh secret per run.
        token = secrets.token_urlsafe(32)
    env.update({
        "INTERNAL_TOKEN": token,
        # Only the front door on loopback may say who the client is (X-Forwarded-For).
        "TRUSTED_PROXIES": e.get("TRUSTED_PROXIES") or "127.0.0.1,::1",
        "PORT": str(port),  # also makes every service build links on the origin's address
        "DATABASE_URL": f"{postgres}/{database}",
        "BROKER_URL": e.get("BROKER_URL") or "amqp://guest:guest@127.0.0.1:5672/%2F",
        "CACHE_URL": f"{redis}/{int(e.get('UP_REDIS_DB') or 0)}",
        "QUEUE_PREFIX": e.get("QUEUE_PREFIX") or "onepic",
        "INTERNAL_PORT": str(internal_port),
        "METADATA_URL": f"http://127.0.0.1:{internal_port}",
        # What upload hands metadata's methods of /v1/photos to when a front door routes by
        # path only (the Kubernetes Ingress; UP_INGRESS_PORT here).
        "METADATA_PUBLIC_URL": urls["metadata"],
        # The services refuse to start without a mail server: the local sink unless one is
        # given (deploy/local/mailsink.py; messages in log/mail.log).
        "SMTP_URL": e.get("SMTP_URL") or f"smtp://127.0.0.1:{mail_port}",
        "PYTHONUNBUFFERED": "1",  # logs reach the log files as they happen
    })
    store = seaweedfs.for_deployment(var, env)
    env.update(store.client_env())  # BLOB_URL and its keys
    max_body = int(env.get("MAX_UPLOAD_BYTES") or Settings.max_upload_bytes) + MULTIPART_OVERHEAD
    origin = nginx.Origin(port, ports, max_body, var / "run", var / "log")
    ingress = None
    if e.get("UP_INGRESS_PORT"):
        ingress = nginx.Origin(int(e["UP_INGRESS_PORT"]), ports, max_body, var / "run",
                               var / "log", method_blind=True, name="ingress")
    py = sys.executable
    processes = [
        Process("metadata", gunicorn_argv("services.metadata.app", ports["metadata"], workers),
                _workers_share_metrics(env, var, "metadata"), urls["metadata"] + "/readyz"),
        Process("metadata-internal",
                gunicorn_argv("services.metadata.app", internal_port, workers,
                              call="create_internal_app()"),
                _workers_share_metrics(env, var, "metadata-internal"),
                f"http://127.0.0.1:{internal_port}/readyz"),
        Process("upload", gunicorn_argv("services.upload.app", ports["upload"], workers),
                _workers_share_metrics(env, var, "upload"), urls["upload"] + "/readyz"),
        Process("render", render_argv(ports["render"], workers),
                _workers_share_metrics(env, var, "render"), urls["render"] + "/readyz"),
        Process("metadata-worker", [py, "-m", "services.metadata.worker"],
                {**env, "METADATA_WORKER_PORT": str(worker_port)},
                f"http://127.0.0.1:{worker_port}/readyz"),
        # MALLOC_ARENA_MAX: libvips threads would otherwise each grow a glibc arena.
        Process("resizer", [py, "-m", "services.resizer"],
                {**env, "MALLOC_ARENA_MAX": "2", "RESIZER_METRICS_PORT": str(metrics_port)},
                f"http://127.0.0.1:{metrics_port}/readyz"),
        # The public origin, last: `down` stops it first. -e: errors before the configuration
        # is read go to the log too, not to a system path.
        Process("nginx", [nginx_binary(), "-c", str(origin.conf), "-p", str(origin.run_dir),
                          "-e", "stderr"], env, f"http://127.0.0.1:{port}{HEALTH_PATH}"),
    ]
    if ingress is not None:
        processes.append(Process("ingress", [nginx_binary(), "-c", str(ingress.conf), "-p",
                                             str(ingress.run_dir), "-e", "stderr"], env,
                                 f"http://127.0.0.1:{ingress.port}{HEALTH_PATH}"))
    if not e.get("SMTP_URL"):
        processes.insert(0, Process("mail", [py, "-m", "deploy.local.mailsink", str(mail_port)],
                                    env, None))
    # The S3 server, first: every service opens its blob store when it starts. Its SIGTERM
    # takes 15-25 s (seaweedfs.py), hence the longer wait before SIGKILL.
    processes.insert(0, Process("seaweedfs", store.argv(), store.process_env(env),
                                store.endpoint + "/healthz", first=True, stop_wait=40))
    return Plan(var, postgres, database, env, processes, origin, ingress, urls)
