"""The container image (`make image`): built hermetically on a debootstrapped bookworm base,
run as its non-root user with a read-only root, no capabilities and no privilege gain, and
walked through the core API: sign up, upload, activate, fetch the avatar, compare pixels.

Needs a Docker engine: deploy/image/dockerd.sh installs and starts one (.ci/run does too).
Skipped only when no engine can run on this machine at all, and then loudly."""
from __future__ import annotations

import io
import subprocess
import time
import tomllib
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from tests.e2e.client import sign_up
from tests.e2e.images import close_to, decode, mean_rgb
from tests.ports import free_port

# The first run on a machine debootstraps the base (minutes); later runs reuse its tarball.
pytestmark = [pytest.mark.image, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
BASE = "local/debian:bookworm-python"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
TAG = f"onepic:{VERSION}"
UID = "10001"


def _run(*argv: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {done.returncode}:\n"
                             f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def engine():
    done = _run("deploy/image/dockerd.sh", timeout=600, check=False)
    if done.returncode != 0:
        reason = ("NO DOCKER ENGINE CAN RUN HERE: the image tier did not run. "
                  f"deploy/image/dockerd.sh said:\n{done.stdout}{done.stderr}")
        print("\n" + "!" * 80 + "\n" + reason + "\n" + "!" * 80, flush=True)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def image(engine):
    _run("deploy/image/base.sh", BASE)  # debootstrap once; the tarball is kept in var/image
    _run("deploy/image/build.sh", BASE, timeout=1800)
    return TAG


@pytest.fixture(scope="module")
def container(image):
    tag = uuid.uuid4().hex[:8]
    name, volume, port = f"onepic-test-{tag}", f"onepic-test-{tag}", free_port()
    _run("docker", "run", "-d", "--name", name, "--read-only", "--cap-drop", "ALL",
         "--security-opt", "no-new-privileges", "--user", f"{UID}:{UID}",
         "--tmpfs", "/tmp:rw,noexec,nosuid,size=64m", "-v", f"{volume}:/var/lib/onepic",
         "-p", f"127.0.0.1:{port}:8080", image)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            state = _run("docker", "inspect", "-f", "{{.State.Running}}", name).stdout.strip()
            if state != "true" or time.monotonic() > deadline:
                logs = _run("docker", "logs", name, check=False)
                raise AssertionError(f"container not ready:\n{logs.stdout}{logs.stderr}")
            time.sleep(0.5)
        yield name, base
    finally:
        _run("docker", "rm", "-f", name, check=False)
        _run("docker", "volume", "rm", volume, check=False)


def test_the_core_api_works_in_the_locked_down_container(container):
    _, base = container
    api = sign_up(base)
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (200, 30, 40)).save(out, "JPEG", quality=90)
    photo = api.upload_ok(out.getvalue())
    api.activate(photo["id"])
    api.wait_ready(photo["id"], timeout=60)
    r = requests.get(f"{base}/{api.username}?s=64", timeout=30)
    assert r.status_code == 200, r.text
    img = decode(r.content)
    assert img.size == (64, 64)
    assert close_to(img, (200, 30, 40)), mean_rgb(img)


def test_it_runs_as_its_non_root_user_and_writes_only_its_volume_and_tmp(container):
    name, _ = container
    assert _run("docker", "exec", name, "id", "-u").stdout.strip() == UID
    # The root filesystem is read-only: a write outside the volume and /tmp fails...
    done = _run("docker", "exec", name, "sh", "-c", "touch /opt/onepic/x", check=False)
    assert done.returncode != 0
    # ...and the service wrote its database and blobs to the volume.
    listing = _run("docker", "exec", name, "ls", "/var/lib/onepic").stdout.split()
    assert "onepic.db" in listing and "blobs" in listing
    assert _run("docker", "diff", name).stdout.strip() == ""


def test_the_image_has_no_compiler_pip_or_root_default(image):
    config = _run("docker", "image", "inspect", "-f", "{{.Config.User}} {{json .Config.Volumes}}",
                  image).stdout
    assert config.startswith(f"{UID}:{UID}") and "/var/lib/onepic" in config
    done = _run("docker", "run", "--rm", "--read-only", "--entrypoint", "sh", image, "-c",
                "for c in gcc cc g++ clang make pip pip3; do command -v $c; done; true")
    assert done.stdout.strip() == "", f"found in the image: {done.stdout}"


def test_one_image_runs_every_service_by_its_command(image):
    """Kubernetes runs each service from this image with its own command
    (deploy/k8s/base/workloads.yaml): each module imports and its server starts."""
    for argv in (["python", "-m", "gunicorn", "--version"],
                 ["python", "-m", "granian", "--version"],
                 ["python", "-c", ("import services.resizer.__main__, services.metadata.worker, "
                                   "services.upload.app, services.render.app, "
                                   "services.metadata.app")]):
        _run("docker", "run", "--rm", "--read-only", "--cap-drop", "ALL",
             "--security-opt", "no-new-privileges", "--entrypoint", argv[0], image, *argv[1:])
