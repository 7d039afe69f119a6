"""The pipeline benchmark still runs (quick mode: small inputs, a few seconds), and reports
rows in the shape `python -m bench` expects. Its numbers are checked by `make bench`, not here."""
from bench import pipeline

KEYS = {"case", "metric", "value", "unit", "reference", "reference_value", "ratio", "goal", "met"}


def test_quick_run_reports_every_case():
    rows = pipeline.run(quick=True)
    assert all(set(r) == KEYS for r in rows)
    metrics = {r["metric"] for r in rows}
    assert {"time", "peak RSS (VmHWM)", "median time"} <= metrics
    assert any(m.startswith("RSS peak growth") for m in metrics)
    for r in rows:
        assert isinstance(r["value"], (int, float)) and r["met"] is None, r
        if r["reference_value"]:
            assert r["ratio"] is not None and r["ratio"] >= 0, r
    peak = next(r for r in rows if r["metric"] == "peak RSS (VmHWM)")
    assert 10 < peak["value"] < 300  # measured in MB from a real child process
