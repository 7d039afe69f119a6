"""The alert rules and the dashboard name only metrics the code exports: a renamed metric
would otherwise leave an alert that can never fire (the outbox-age alert once did)."""
import re
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

import shared.metrics  # noqa: F401  (registers every metric the services export)

MONITORING = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "base" / "monitoring"
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "_created")


def _exported() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


NAMING = [MONITORING / "prometheusrule.yaml", MONITORING / "onepic-dashboard.json"]


@pytest.mark.parametrize("path", NAMING, ids=lambda p: p.name)
def test_every_metric_a_rule_or_panel_names_is_exported(path):
    named = set(re.findall(r"\bonepic_[a-z_]+", path.read_text()))
    exported = _exported()
    missing = {n for n in named
               if n not in exported and not any(n.removesuffix(s) in exported for s in SUFFIXES)}
    assert named and not missing, f"{path.name} names metrics nobody exports: {sorted(missing)}"
