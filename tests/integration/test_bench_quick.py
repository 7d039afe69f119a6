"""The benchmark harness in quick mode (`python -m bench --quick`), so it cannot rot: it must
start its system, load it, and write well-formed results. Its numbers are not checked — a
second of load on a shared CI machine says nothing about speed; `make bench` measures."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"case", "metric", "value", "unit", "reference", "reference_value", "ratio", "goal", "met"}


def test_quick_bench_writes_well_formed_results(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "bench-quick.json").read_text())
    assert result["mode"] == "quick"
    rows = result["rows"]
    cases = {r["case"] for r in rows}
    for r in rows:
        assert set(r) == KEYS, r
        assert isinstance(r["value"], (int, float)), r
        if r["reference_value"]:
            assert r["ratio"] is not None, r
    # A goal that is a constant is no reference: those rows carry the goal and no ratio.
    constant_goal = [r for r in rows if r["metric"] in ("peak RSS (VmHWM)", "uploads/s")]
    assert len(constant_goal) == 2, constant_goal
    assert all(r["reference"] is None and r["ratio"] is None for r in constant_goal), constant_goal
    # Every suite the quick mode runs reported, and the peer's absence is said out loud.
    assert any(c.startswith("render user hit") for c in cases)
    assert any(c.startswith("upload → ready") for c in cases)
    assert any("random email hashes" in c for c in cases)
    assert any("thumbor" in n for n in result["notes"])
    assert result["distributions"] and all(
        len(points) > 5 for points in result["distributions"].values())
    png = tmp_path / "bench-quick-latency.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "requests/s" in done.stdout  # the table was printed
