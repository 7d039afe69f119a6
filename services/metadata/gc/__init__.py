"""Garbage collection of bytes nothing references: the one mechanism every deletion uses.

An image's bytes (its original and variants) are referenced by the photo rows that show it;
the count of those rows is the reference count. Whoever deletes photos — a user deleting
one, account deletion, expiry — only deletes rows; `sweep` does the rest:

1. mark: an image no photo uses gets `unreferenced_at` = now (once);
2. collect: an image unreferenced for longer than `grace` loses its original, every variant
   and its rows. The row is locked first and re-checked, and a new photo of the same bytes
   clears `unreferenced_at` in its own transaction, so a concurrent re-upload either wins
   (nothing is removed) or waits and records a fresh image (upload puts the original back
   after its photo is committed: services/upload/app.py);
3. orphans: originals and variants with no image row (an upload that died between storing
   its original and recording the photo; a resize that finished after its image was
   collected), older than `grace`;
4. temp files of writers killed mid-write (`.part` files of the file store).

The grace period is what makes it safe and what an undo could use. Call `sweep` after a
bulk deletion to make it visible sooner; it is idempotent and safe to run from several
processes at once. The metadata worker runs it every GC_INTERVAL seconds; `python -m
services.metadata.gc` runs one pass. Removals are counted in onepic_gc_removed_total{kind}.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared import metrics
from shared.blobstore import SHA256_HEX, BlobStore, original_key, variant_key
from shared.images import FORMATS, VARIANTS

from .. import db, ids
from ..db.schema import images, photos, variants
from ..periodic import drain

log = logging.getLogger(__name__)

BATCH = 200


def sweep(engine: Engine, blobs: BlobStore, *, grace: float) -> dict[str, int]:
    """One pass of all four steps; what it removed, by kind."""
    removed = {"image": 0, "original": 0, "variant": 0, "orphan": 0, "temp": 0}
    now = ids.now()
    cutoff = now - timedelta(seconds=grace)
    mark(engine, now)

    def collect_one(sha256: str) -> bool:
        counts = collect(engine, blobs, sha256, cutoff)
        for kind, n in counts.items():
            removed[kind] += n
        return bool(counts)

    drain(lambda: _collectable(engine, cutoff), collect_one, BATCH)
    removed["orphan"] = sweep_orphans(engine, blobs, cutoff.timestamp())
    removed["temp"] = blobs.sweep_temp(cutoff.timestamp())
    for kind, n in removed.items():
        if n:
            metrics.GC_REMOVED.labels(kind).inc(n)
    if any(removed.values()):
        log.info("gc: removed %s", removed)
    return removed


def _unused():
    return ~sa.exists().where(photos.c.sha256 == images.c.sha256)


def mark(engine: Engine, now) -> int:
    with engine.connect() as conn, db.write(conn):
        return conn.execute(images.update()
                            .where(images.c.unreferenced_at.is_(None), _unused())
                            .values(unreferenced_at=now)).rowcount


def _collectable(engine: Engine, cutoff) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(images.c.sha256).where(
            images.c.unreferenced_at < cutoff, _unused()).limit(BATCH)).scalars())


def collect(engine: Engine, blobs: BlobStore, sha256: str, cutoff) -> dict[str, int]:
    """Remove one image's bytes and rows if it is still unreferenced past `cutoff`."""
    with engine.connect() as conn, db.write(conn):
        locked = conn.execute(sa.select(images.c.sha256).where(
            images.c.sha256 == sha256, images.c.unreferenced_at < cutoff)
            .with_for_update()).first()
        # A fresh statement after the lock: a photo committed meanwhile is seen here.
        if locked is None or conn.execute(sa.select(sa.exists().where(
                photos.c.sha256 == sha256))).scalar():
            return {}
        stored = conn.execute(sa.select(variants.c.name, variants.c.fmt)
                              .where(variants.c.sha256 == sha256)).all()
        # Every possible variant key, not only the recorded ones: a result may have been
        # lost after the resizer stored them.
        keys = {variant_key(sha256, n, f) for n in VARIANTS for f in FORMATS}
        keys |= {variant_key(sha256, r.name, r.fmt) for r in stored}
        for key in sorted(keys):
            blobs.delete(key)
        blobs.delete(original_key(sha256))
        # Before the row goes, so a crash here leaves a row to retry from, never bytes
        # without a row that only the orphan sweep would find.
        conn.execute(variants.delete().where(variants.c.sha256 == sha256))
        conn.execute(images.delete().where(images.c.sha256 == sha256))
    log.info("gc: removed image %s (original and %d variants)", sha256, len(stored))
    return {"image": 1, "original": 1, "variant": len(stored)}


def sweep_orphans(engine: Engine, blobs: BlobStore, older_than: float) -> int:
    """Blobs under originals/ and variants/ whose image has no row, last written before
    `older_than` (a Unix time): the grace lets an upload in flight record its photo."""
    candidates: dict[str, list[str]] = {}
    for prefix in ("originals/", "variants/"):
        for key, modified in blobs.list(prefix):
            sha256 = key.split("/")[1] if key.count("/") >= 1 else ""
            if modified < older_than and SHA256_HEX.fullmatch(sha256):
                candidates.setdefault(sha256, []).append(key)
    removed = 0
    shas = sorted(candidates)
    for i in range(0, len(shas), 500):
        chunk = shas[i:i + 500]
        with engine.connect() as conn:
            known = set(conn.execute(sa.select(images.c.sha256)
                                     .where(images.c.sha256.in_(chunk))).scalars())
        for sha256 in chunk:
            if sha256 in known:
                continue
            for key in candidates[sha256]:
                blobs.delete(key)
                removed += 1
    return removed
