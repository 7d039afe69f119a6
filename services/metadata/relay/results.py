"""Consumer of resize.results: records the variants the resizer stored and refreshes the read
model of every photo and user showing that image. Idempotent (upserts), so redelivery is
harmless."""
from __future__ import annotations

import contextlib
import logging
import re

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared import metrics
from shared.blobstore import SHA256_HEX
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS, RetryLater, dead_letter
from shared.images import FORMATS, VARIANTS

from .. import db
from ..db.schema import images, variants
from . import readmodel_changes as changes

log = logging.getLogger(__name__)

DEAD_REQUESTS = dead_letter(RESIZE_REQUESTS)


class MalformedResult(ValueError):
    pass


FAILED_CODE = re.compile(r"[a-z_]{1,40}")


def parse(message: dict) -> tuple[str, list[dict], str | None]:
    """(sha256, variant rows, failure code or None). A result with `failed` says the resizer
    gave up on the image for good (it lists no variants)."""
    sha256 = message.get("sha256") if isinstance(message, dict) else None
    items = message.get("variants") if isinstance(message, dict) else None
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256) or not isinstance(items, list):
        raise MalformedResult("expected {sha256, variants: [...]}")
    failed = message.get("failed")
    if failed is not None and not (isinstance(failed, str) and FAILED_CODE.fullmatch(failed)):
        raise MalformedResult(f"bad failure code {failed!r}")
    out = []
    for v in items:
        if (not isinstance(v, dict) or v.get("name") not in VARIANTS or v.get("fmt") not in FORMATS
                or not all(isinstance(v.get(k), int) and v[k] > 0
                           for k in ("width", "height", "bytes"))):
            raise MalformedResult(f"bad variant entry {v!r}")
        out.append({"sha256": sha256, "name": v["name"], "fmt": v["fmt"], "width": v["width"],
                    "height": v["height"], "bytes": v["bytes"]})
    return sha256, out, failed


_IMAGE = sa.select(images.c.sha256).where(images.c.sha256 == sa.bindparam("sha256"))


class ResultsConsumer:
    def __init__(self, engine: Engine):
        self.engine = engine

    def handle(self, message: dict) -> None:
        try:
            sha256, rows, failed = parse(message)
        except MalformedResult as e:
            # Retrying cannot fix a malformed message: acknowledge it (drop) and say so.
            log.error("resize.results: dropping malformed message: %s", e)
            metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "rejected").inc()
            return
        with _database_or_retry(), self.engine.connect() as conn, db.write(conn):
            known = conn.execute(_IMAGE, {"sha256": sha256}).first()
            if known is None:
                log.error("resize.results: no image %s; dropping", sha256)
                metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "rejected").inc()
                return
            record_variants(conn, sha256, rows)
            if failed:
                mark_failed(conn, sha256, failed)
        metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "failed" if failed else "ok").inc()

    def handle_dead_letter(self, message: dict) -> None:
        """A resize request the resizer never finished within the delivery limit (it crashed,
        or ran out of time or memory, every time): its photos become `failed`."""
        sha256 = message.get("sha256")
        if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256):
            log.error("%s: dropping malformed message", DEAD_REQUESTS)
            return
        with _database_or_retry(), self.engine.connect() as conn:
            with db.write(conn):
                marked = mark_failed(conn, sha256, "gave_up")
            if marked:
                log.error("resizer gave up on image %s after its delivery limit; photos failed",
                          sha256)
        metrics.DEAD_LETTERS.labels(RESIZE_REQUESTS).inc()


_VARIANT_COLUMNS = ("sha256", "name", "fmt", "width", "height", "bytes")


def _variants_upsert(conn, n: int):
    """INSERT … ON CONFLICT DO UPDATE of `n` rows, the parameters of row i named `<column>_i`."""
    stmt = db.dialect_insert(conn, variants).values([
        {k: sa.bindparam(f"{k}_{i}") for k in _VARIANT_COLUMNS} for i in range(n)])
    return stmt.on_conflict_do_update(
        index_elements=["sha256", "name", "fmt"],
        set_={k: stmt.excluded[k] for k in ("width", "height", "bytes")})


def record_variants(conn, sha256: str, rows: list[dict]) -> None:
    """Upsert the variants made of one image (a redelivery changes nothing)."""
    if rows:  # one statement for the set, built once per number of rows
        n = len(rows)
        conn.execute(db.prebuilt(conn, f"variants: upsert {n}", lambda c: _variants_upsert(c, n)),
                     {f"{k}_{i}": v for i, row in enumerate(rows) for k, v in row.items()})
    changes.image_changed(conn, sha256)  # every photo of it, and whoever shows one


def mark_failed(conn, sha256: str, code: str) -> bool:
    """Record why an image has no variants; never over variants that did get made (a
    dead letter can trail a later, successful redelivery). The read model does not mirror
    it (render serves the sanitized original either way): nothing to record there."""
    has_variants = sa.exists().where(variants.c.sha256 == sha256)
    return conn.execute(images.update().where(images.c.sha256 == sha256, ~has_variants)
                        .values(failed=code)).rowcount == 1


@contextlib.contextmanager
def _database_or_retry():
    """The database being down is no fault of the message: retry it, attempts unspent."""
    try:
        yield
    except db.UNAVAILABLE as e:
        raise RetryLater(f"database: {type(e).__name__}") from e
