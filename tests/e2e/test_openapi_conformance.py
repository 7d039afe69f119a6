"""The OpenAPI document says exactly what the API does: schemathesis, with every check and
stateful runs along the document's links, finds no difference against the running system.

Bounded and reproducible: a fixed seed, a bounded number of examples per operation, one
worker. Operations whose inputs no schema can make valid (an opaque token, a cursor, image
bytes) are named in schemathesis.toml with the statuses that refuse them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from .client import sign_up

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED, EXAMPLES = 1, 30


def _operations(document: dict) -> int:
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return sum(1 for item in document["paths"].values() for m in item if m in methods)


def test_schemathesis_finds_no_difference(base_url, tmp_path):
    document = requests.get(f"{base_url}/v1/openapi.json", timeout=30).json()
    user = sign_up(base_url)  # requests that need a token use this account's
    cli = Path(sys.executable).with_name("schemathesis")
    done = subprocess.run(
        [str(cli), "--config-file", str(CONFIG), "run", f"{base_url}/v1/openapi.json",
         "--checks", "all", "--seed", str(SEED), "--max-examples", str(EXAMPLES),
         "--workers", "1", "--generation-database", "none", "--no-color",
         "--header", f"Authorization: Bearer {user.token}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-20000:]
    count = _operations(document)
    assert f"Tested: {count}" in out, out[-5000:]  # every operation was exercised
    assert "Stateful" in out, out[-5000:]  # and the links were followed
