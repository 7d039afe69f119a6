"""The batches of view counts between render (which counts, services/render/views.py) and
metadata's rollup (which adds them to Postgres, services/metadata/stats/rollup.py): one
cache hash, field "<UTC day number>:<photo id>" → views since the last rollup."""
from __future__ import annotations

from datetime import date, timedelta

COUNTS_KEY = "views:pending"
_EPOCH = date(1970, 1, 1)


def field(day: int, photo_id: str) -> str:
    return f"{day}:{photo_id}"


def parse(counts: dict[str, int]) -> dict[tuple[str, date], int]:
    """{field: n} → {(photo id, day): n}; malformed fields are dropped."""
    out: dict[tuple[str, date], int] = {}
    for name, n in counts.items():
        day, _, photo_id = name.partition(":")
        if not day.isdigit() or not photo_id or n <= 0:
            continue
        key = (photo_id, _EPOCH + timedelta(days=int(day)))
        out[key] = out.get(key, 0) + n
    return out
