"""Moves render's view counts from the cache into Postgres every few seconds.

Render adds counts to one cache hash (services/render/views.py); here they are taken with
the hash's reset in one atomic step and added to photo_views in one transaction. If the
database write fails the counts go back into the cache for the next round, so an outage
delays the numbers instead of losing them. A crash between the take and the commit loses
at most one round's counts: analytics, not money, so no two-phase bookkeeping."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from shared.cache import Cache, CacheUnavailable
from shared.viewcounts import COUNTS_KEY, parse

from ..periodic import Periodic
from . import store


class ViewRollup:
    def __init__(self, engine: Engine, cache: Cache, interval: float = 5.0):
        self.engine, self.cache = engine, cache
        self.periodic = Periodic("view rollup", self.roll_once, interval,
                                 expected=[CacheUnavailable])
        self.run = self.periodic.run

    def roll_once(self) -> int:
        taken = self.cache.take_counts(COUNTS_KEY)
        if not taken:
            return 0
        try:
            with self.engine.begin() as conn:
                return store.add_views(conn, parse(taken))
        except Exception:
            self.cache.add_counts(COUNTS_KEY, taken)  # next round; raises if the cache went too
            raise
