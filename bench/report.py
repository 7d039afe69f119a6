"""Print the rows as a table and write them to JSON and a latency plot."""
from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path

COLUMNS = ("case", "metric", "value", "unit", "reference", "reference_value", "ratio", "goal",
           "met")


def table(rows: list[dict]) -> str:
    cells = [[_cell(r.get(c)) for c in COLUMNS] for r in rows]
    widths = [max(len(c), *(len(line[i]) for line in cells)) if cells else len(c)
              for i, c in enumerate(COLUMNS)]
    out = [" | ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)),
           "-+-".join("-" * w for w in widths)]
    out += [" | ".join(v.ljust(w) for v, w in zip(line, widths)) for line in cells]
    return "\n".join(out)


def _cell(v) -> str:
    if v is None:
        return ""
    if v is True:
        return "yes"
    if v is False:
        return "NO"
    return str(v)


def machine() -> dict:
    def version(argv):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (done.stdout + done.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None
    mem = next((int(line.split()[1]) * 1024 for line in open("/proc/meminfo")
                if line.startswith("MemTotal")), None)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_bytes": mem,
            "python": platform.python_version(), "wrk": version(["wrk", "-v"]),
            "nginx": version(["nginx", "-v"]) or version(["/usr/sbin/nginx", "-v"])}


def markdown(result: dict) -> str:
    """The rows as a Markdown table, with the machine and notes: bench/results/<name>.md."""
    m = result["machine"]
    lines = [f"# `python -m bench` ({result['mode']} mode), {result['seconds']:g} s",
             "", (f"{m['cpus']} × {m['cpu']}, {(m['memory_bytes'] or 0) / 2**30:.0f} GiB, "
                  f"Python {m['python']}, {m['wrk']}, {m['nginx']}"), "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cell(r.get(c)) for c in COLUMNS) + " |" for r in result["rows"]]
    lines += [""] + [f"- {note}" for note in result["notes"]]
    return "\n".join(lines) + "\n"


def write(out: Path, name: str, result: dict) -> tuple[Path, Path | None]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    (out / f"{name}.md").write_text(markdown(result))
    png = out / f"{name}-latency.png"
    return path, (png if plot(result["distributions"], png) else None)


def plot(dists: dict[str, list], png: Path) -> bool:
    """One panel per case: latency against percentile, render and nginx lines together."""
    if not dists:
        return False
    import matplotlib
    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    groups: dict[str, list[str]] = {}
    for label in dists:
        groups.setdefault(label.split(" — ")[0], []).append(label)
    fig, axes = plt.subplots(len(groups), 1, figsize=(9, 3.2 * len(groups)), squeeze=False)
    for ax, (case, labels) in zip(axes[:, 0], groups.items()):
        for label in labels:
            points = [(p, us / 1000) for p, us in dists[label] if p < 100]
            # x = 1/(1-p): the tail (p99, p99.9) gets as much room as the median.
            ax.plot([1 / (1 - p / 100) for p, _ in points], [ms for _, ms in points],
                    marker=".", label=label.split(" — ", 1)[1])
        ax.set_xscale("log")
        ticks = [50, 90, 99, 99.9, 99.99]
        ax.set_xticks([1 / (1 - t / 100) for t in ticks], [f"p{t:g}" for t in ticks])
        ax.set_ylabel("latency (ms)")
        ax.set_title(case)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)
    return True
