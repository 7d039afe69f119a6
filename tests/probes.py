"""Asking a process's ops port (/healthz, /readyz) from the tests, once it has opened."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request


def fetch(port: int, path: str) -> tuple[int, dict]:
    """(status, JSON body) of GET http://127.0.0.1:<port><path>; raises OSError if closed."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def first_answer(proc: subprocess.Popen, port: int, path: str,
                 timeout: float = 30) -> tuple[int, dict]:
    """fetch() once the process listens; fails if it exits or never opens the port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fetch(port, path)
        except OSError:
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, f"port {port} never opened"
            time.sleep(0.2)
