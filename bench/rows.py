"""The one row shape every suite reports (bench/pipeline.py uses it too), and the sums."""
from __future__ import annotations


def row(case: str, metric: str, value: float, unit: str, reference: str | None = None,
        reference_value: float | None = None, goal: str | None = None,
        met: bool | None = None) -> dict:
    ratio = (value / reference_value) if reference_value else None
    return {"case": case, "metric": metric, "value": _round(value), "unit": unit,
            "reference": reference, "reference_value": _round(reference_value),
            "ratio": _round(ratio, 3), "goal": goal, "met": met}


def _round(x, digits: int = 2):
    if x is None:
        return None
    return round(x, digits) if abs(x) < 1000 else round(x)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is one that was measured)."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, -(-len(s) * p // 100) - 1))
    return s[int(k)]
