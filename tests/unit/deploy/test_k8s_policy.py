"""checkov's Kubernetes policies on every overlay as built: none may fail. A check that does
not fit is skipped on the object it concerns with its reason (`checkov.io/skipN` annotations,
written by deploy/k8s/generate.py), never globally. checkov lives in its own venv
(var/tools/checkov-venv, from pyproject's `policy` extra; `make test` installs it): its pins
clash with the project's."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.unit.deploy.test_k8s_manifests import K8S, OVERLAYS, kubectl

ROOT = Path(__file__).resolve().parents[3]
CHECKOV = ROOT / "var" / "tools" / "checkov-venv" / "bin" / "checkov"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_checkov_finds_nothing(overlay, tmp_path):
    assert CHECKOV.exists(), f"{CHECKOV} is missing: `make test` installs it (make checkov)"
    built = subprocess.run([kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
                           capture_output=True, text=True, timeout=120, check=True).stdout
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(built)
    # --skip-download: no call home (these machines reach no such service).
    done = subprocess.run([str(CHECKOV), "-f", str(manifest), "--framework", "kubernetes",
                           "--skip-download", "--compact", "-o", "json"],
                          capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    summary = report["summary"]
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert summary["failed"] == 0 and done.returncode == 0, failed
    assert summary["passed"] > 100  # it did look at the objects
    skipped = report["results"]["skipped_checks"]
    assert all(s["check_result"].get("suppress_comment", "").strip() for s in skipped), \
        "every skip says why"
