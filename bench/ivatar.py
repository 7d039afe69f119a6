"""A stand-in for ivatar (Libravatar's server) on its new-digest identicon path, in its own venv
(var/bench/ivatar-venv) from PyPI only.

ivatar itself cannot be installed by the project's scripts: it is not on PyPI, and its
requirements pull five libraries straight from git repositories, among them pydenticon5, the
identicon library of its `d=identicon` path. What is reproducible from PyPI is the path
itself: Django with ivatar's settings that a request meets (its middleware stack, languages, a
transaction per request, its response file cache), the three ORM lookups its AvatarImageView
makes for a digest (email MD5, email SHA-256, OpenID over four columns) on tables as wide as
ivatar's, on SQLite, then an identicon drawn by Pillow through pydenticon (PyPI; 5×5 cells)
and saved as PNG, under gunicorn sync workers as ivatar deploys. ivatar_site/ holds that
Django project; its views.py says where it does less work than ivatar. How close it comes to
the real ivatar was measured once by hand (bench/README.md: "The ivatar stand-in against
ivatar")."""
from __future__ import annotations

import os
import shutil
import subprocess

from .tools import PY, ROOT, VAR, Proc, free_port, wait_http

NAME = "ivatar stand-in (Django + Pillow/pydenticon)"
PACKAGES = ["Django==5.2.19", "Pillow==13.0.0", "pydenticon==0.3.1", "gunicorn==23.0.0"]
VENV = VAR / "ivatar-venv"
DATA = VAR / "ivatar"
NOTE = ("ivatar stand-in: ivatar is not installable from PyPI (its identicon library "
        "pydenticon5 is git-only); Django " + PACKAGES[0].split("==")[1] + " with ivatar's "
        "middleware, languages, ATOMIC_REQUESTS, response file cache and its three digest "
        "lookups on SQLite, identicon by PyPI pydenticon 0.3.1 + Pillow as PNG "
        "(bench/ivatar.py, bench/ivatar_site/), gunicorn sync; against the real ivatar "
        "(a one-off by hand, bench/README.md) it served 1.1-1.5 x ivatar's rate at 0.84-0.98 x its "
        "CPU per new digest")


def ensure() -> None:
    stamp = VENV / (".installed-" + "-".join(PACKAGES).replace("==", ""))
    if stamp.exists():
        return
    print(f"installing {' '.join(PACKAGES)} into {VENV}", flush=True)
    subprocess.run([PY, "-m", "venv", str(VENV)], check=True, timeout=300)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *PACKAGES], check=True,
                   timeout=900)
    stamp.touch()


class Peer:
    """The stand-in under gunicorn on a free loopback port, with a migrated SQLite database
    holding a few confirmed addresses (none of them the digests the load sends)."""

    def __init__(self, workers: int):
        self.workers = workers
        self.port = free_port()
        self.proc: Proc | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Peer:
        ensure()
        DATA.mkdir(parents=True, exist_ok=True)
        env = {"PATH": os.environ.get("PATH", ""), "IVATAR_PEER_DIR": str(DATA),
               "DJANGO_SETTINGS_MODULE": "ivatar_site.settings",
               "PYTHONPATH": str(ROOT / "bench")}
        python = str(VENV / "bin" / "python")
        (DATA / "ivatar.sqlite3").unlink(missing_ok=True)
        shutil.rmtree(DATA / "filecache", ignore_errors=True)  # its response cache: start empty
        subprocess.run([python, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
                       env=env, check=True, timeout=120)
        subprocess.run([python, "-c", SEED], env=env, check=True, timeout=60)
        self.proc = Proc("ivatar-standin", [
            python, "-m", "gunicorn", "ivatar_site.wsgi:application", "-w", str(self.workers),
            "-b", f"127.0.0.1:{self.port}"], env=env)
        wait_http(self.url("/avatar/" + "0" * 32 + "?d=identicon&gravatarproxy=n"), 60, self.proc)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.stop()


SEED = """
import hashlib, django
django.setup()
from django.contrib.auth.models import User
from ivatar_site.peer.models import ConfirmedEmail
owner = User.objects.create(username="bench")
for i in range(50):
    e = f"person{i}@example.org"
    ConfirmedEmail.objects.create(user=owner, email=e, digest=hashlib.md5(e.encode()).hexdigest(),
                                  digest_sha256=hashlib.sha256(e.encode()).hexdigest())
"""
