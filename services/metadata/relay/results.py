"""Consumer of resize.results: records the variants the resizer stored and refreshes the read
model of every photo and user showing that image. Idempotent (upserts), so redelivery is
harmless."""
from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from shared import metrics
from shared.blobstore import SHA256_HEX
from shared.broker import RESIZE_RESULTS
from shared.images import FORMATS, VARIANTS

from .. import db
from ..db.schema import images, variants
from .readmodel_writer import ReadModelWriter

log = logging.getLogger(__name__)

class MalformedResult(ValueError):
    pass


def parse(message: dict) -> tuple[str, list[dict]]:
    sha256 = message.get("sha256") if isinstance(message, dict) else None
    items = message.get("variants") if isinstance(message, dict) else None
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256) or not isinstance(items, list):
        raise MalformedResult("expected {sha256, variants: [...]}")
    out = []
    for v in items:
        if (not isinstance(v, dict) or v.get("name") not in VARIANTS or v.get("fmt") not in FORMATS
                or not all(isinstance(v.get(k), int) and v[k] > 0
                           for k in ("width", "height", "bytes"))):
            raise MalformedResult(f"bad variant entry {v!r}")
        out.append({"sha256": sha256, "name": v["name"], "fmt": v["fmt"], "width": v["width"],
                    "height": v["height"], "bytes": v["bytes"]})
    return sha256, out


class ResultsConsumer:
    def __init__(self, engine: Engine, writer: ReadModelWriter):
        self.engine, self.writer = engine, writer

    def handle(self, message: dict) -> None:
        try:
            sha256, rows = parse(message)
        except MalformedResult as e:
            # Retrying cannot fix a malformed message: acknowledge it (drop) and say so.
            log.error("resize.results: dropping malformed message: %s", e)
            metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "rejected").inc()
            return
        with self.engine.connect() as conn:
            with db.write(conn):
                known = conn.execute(images.select().where(images.c.sha256 == sha256)).first()
                if known is None:
                    log.error("resize.results: no image %s; dropping", sha256)
                    metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "rejected").inc()
                    return
                for row in rows:
                    db.upsert(conn, variants, row, ["sha256", "name", "fmt"])
            self.writer.refresh_image(conn, sha256)
        metrics.EVENTS_CONSUMED.labels("metadata", RESIZE_RESULTS, "ok").inc()
