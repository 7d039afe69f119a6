"""Re-asking for variants that may never come.

With RabbitMQ a relayed resize request survives a restart; with the in-process queue of
standalone mode it does not, so a process stopped between relaying and resizing would leave
that image without variants for good (served from its sanitized original, but never
`ready`). At start-up standalone — and the metadata worker, for a broker that lost them —
queue a request for every image that has none and has not failed; duplicates are harmless
because the resizer is idempotent."""
from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared.broker import RESIZE_REQUESTS

from .. import db, ids
from ..db.schema import images, outbox, variants


def requeue_unfinished(engine: Engine) -> int:
    """Put a resize request in the outbox for each image with no variant; how many."""
    no_variant = ~sa.exists().where(variants.c.sha256 == images.c.sha256)
    with engine.connect() as conn, db.write(conn):
        # Not the failed ones: the resizer gave up on them for good.
        rows = conn.execute(sa.select(images.c.sha256, images.c.format)
                            .where(no_variant, images.c.failed.is_(None))).all()
        now = ids.now()
        for row in rows:
            conn.execute(outbox.insert().values(
                queue=RESIZE_REQUESTS, created_at=now,
                payload=json.dumps({"sha256": row.sha256, "format": row.format})))
    return len(rows)
