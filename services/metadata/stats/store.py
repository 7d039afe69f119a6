"""photo_views rows: one per photo and UTC day, added to by the rollup."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..db.schema import photo_views, photos


def add_views(conn: Connection, counts: dict[tuple[str, date], int]) -> int:
    """Add the counts to their rows (inside the caller's transaction); counts of photos that
    no longer exist are dropped. Returns the number of views recorded."""
    known = set(conn.execute(sa.select(photos.c.id).where(
        photos.c.id.in_(sorted({photo for photo, _ in counts})))).scalars())
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    recorded = 0
    for (photo_id, day), n in sorted(counts.items()):  # one order: no deadlock between two
        if photo_id not in known:
            continue
        stmt = insert(photo_views).values(photo_id=photo_id, day=day, views=n)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["photo_id", "day"],
            set_={"views": photo_views.c.views + stmt.excluded.views}))
        recorded += n
    return recorded


def stats_of(conn: Connection, photo_id: str) -> dict:
    rows = conn.execute(sa.select(photo_views.c.day, photo_views.c.views)
                        .where(photo_views.c.photo_id == photo_id)
                        .order_by(photo_views.c.day)).all()
    days = [{"date": r.day.isoformat(), "views": int(r.views)} for r in rows]
    return {"total": sum(d["views"] for d in days), "days": days}
