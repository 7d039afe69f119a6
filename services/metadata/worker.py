"""`python -m services.metadata.worker`: the outbox relay, the resize.results consumer and
the consumer of dead-lettered resize requests (photos → `failed`) and the loader of the
known-names filter, until SIGTERM. Standalone mode runs the same loops as threads via
start_background.

Its probe (METADATA_WORKER_PORT): /healthz fails when a loop stops beating (wedged), /readyz
when Postgres or RabbitMQ does not answer. A backend that is down at start is waited for,
not a reason to exit."""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from shared import metrics
from shared.blobstore import BlobStore, create_blob_store
from shared.broker import RESIZE_REQUESTS, RESIZE_RESULTS, Broker, create_broker, dead_letter
from shared.cache import Cache, create_cache
from shared.config import Settings
from shared.liveness import Heartbeat
from shared.ops_server import serve_ops
from shared.readmodel import ReadModel
from shared.server import configure_logging

from . import db, gc, ids, migrate
from .db.schema import outbox
from .periodic import Periodic
from .photos.expiry import ExpirySweeper
from .relay import readmodel_changes
from .relay.outbox import OutboxRelay
from .relay.readmodel_writer import ReadModelWriter
from .relay.reconcile import requeue_unfinished
from .relay.results import DEAD_REQUESTS, ResultsConsumer
from .stats.rollup import ViewRollup
from .uploads.sweep import UploadSweeper

log = logging.getLogger(__name__)


LOOPS = ("outbox", "results", "dead-letters", "gc", "read-model")


KNOWN_NAMES_EVERY = 10.0  # seconds between checks that the filter of known names is loaded


def keep_known_names(engine: Engine, writer: ReadModelWriter, stop: threading.Event) -> None:
    """Load the filter of known names (shared/readmodel.py) and load it again whenever the
    cache lost it (flushed, restarted): until then render asks metadata for every miss."""
    while not stop.is_set():
        try:
            with engine.connect() as conn:
                if writer.load_known_names(conn):
                    log.info("read model: filter of known names loaded")
        except Exception as e:  # noqa: BLE001 - the cache or database is down: try later
            log.warning("read model: known names not loaded: %s", type(e).__name__)
        stop.wait(KNOWN_NAMES_EVERY)


def start_background(settings: Settings, stop: threading.Event, *, cache: Cache | None = None,
                     broker: Broker | None = None, engine: Engine | None = None,
                     beats: dict[str, Heartbeat] | None = None,
                     blobs: BlobStore | None = None) -> list[threading.Thread]:
    """Start the loops, and the sweeps of expired direct uploads and expired photos and the
    rollup of view counts. Pass `engine` to share one already checked at head (standalone
    shares the metadata app's: one pool on the SQLite file, one schema check), `blobs` to
    share a blob store. `beats` (name in LOOPS → Heartbeat) receive each loop's liveness
    beat."""
    if engine is None:
        engine = db.create_engine(settings.database_url)
        wait_for_schema(engine, stop)
    if cache is None:  # not `or`: an empty cache is falsy (it has a length)
        cache = create_cache(settings.cache_url)
    if broker is None:
        broker = create_broker(settings.broker_url, settings.queue_prefix)
    beats = beats or {}
    beat = {name: (beats[name].beat if name in beats else None) for name in LOOPS}
    relay = OutboxRelay(engine, broker)
    writer = ReadModelWriter(ReadModel(cache))
    # What this process's changes recorded is written after each commit (the consumer's,
    # the sweeps'); the rest, and other processes' leftovers, by retry_read_model.
    readmodel_changes.refresh_with(engine, writer.apply)
    consumer = ResultsConsumer(engine)
    if blobs is None:
        blobs = create_blob_store(settings.blob_url)
    gc_pass = Periodic("gc", lambda: gc.sweep(engine, blobs, grace=settings.gc_grace),
                       settings.gc_interval)
    threads = [
        threading.Thread(target=retry_read_model(engine, writer, broker).run,
                         args=(stop, beat["read-model"]), name="metadata-read-model",
                         daemon=True),
        threading.Thread(target=relay.run, args=(stop, beat["outbox"]), name="metadata-outbox",
                         daemon=True),
        threading.Thread(target=gc_pass.run, args=(stop, beat["gc"]), name="metadata-gc",
                         daemon=True),
        threading.Thread(target=keep_known_names, args=(engine, writer, stop),
                         name="metadata-known-names", daemon=True),
        threading.Thread(target=broker.consume, args=(RESIZE_RESULTS, consumer.handle, stop),
                         kwargs={"beat": beat["results"]}, name="metadata-results", daemon=True),
        threading.Thread(target=broker.consume,
                         args=(DEAD_REQUESTS, consumer.handle_dead_letter, stop),
                         kwargs={"beat": beat["dead-letters"]}, name="metadata-dead-letters",
                         daemon=True),
        # A quarter of the ticket lifetime (at most 30 s): objects do not wait long past it.
        threading.Thread(target=UploadSweeper(engine, blobs, interval=min(
            30.0, max(1.0, settings.upload_ticket_ttl / 4))).run, args=(stop,),
                         name="metadata-upload-sweep", daemon=True),
        threading.Thread(target=ViewRollup(engine, cache).run, args=(stop,),
                         name="metadata-view-rollup", daemon=True),
        threading.Thread(target=ExpirySweeper(engine).run, args=(stop,),
                         name="metadata-expiry-sweep", daemon=True),
    ]
    for t in threads:
        t.start()
    return threads


def retry_read_model(engine: Engine, writer: ReadModelWriter, broker: Broker,
                     interval: float = 0.5) -> Periodic:
    """Every `interval`: retry the read-model writes that did not land
    (readmodel_writer.retry_pending), and every GAUGE_INTERVAL update the backlog gauges:
    outbox age, queue depths."""
    last_gauges = 0.0

    def one_pass() -> None:
        nonlocal last_gauges
        with engine.connect() as conn:
            writer.retry_pending(conn)
            if time.monotonic() - last_gauges > GAUGE_INTERVAL:
                last_gauges = time.monotonic()
                outbox_age(conn)
                for queue in QUEUES:
                    depth = broker.depth(queue)
                    if depth is not None:
                        metrics.QUEUE_DEPTH.labels(queue).set(depth)

    return Periodic("read model: retry pass", one_pass, interval)


GAUGE_INTERVAL = 10.0
QUEUES = (RESIZE_REQUESTS, RESIZE_RESULTS, DEAD_REQUESTS, dead_letter(RESIZE_RESULTS))


def outbox_age(conn) -> None:
    oldest = conn.execute(sa.select(sa.func.min(outbox.c.created_at))).scalar()
    if oldest is not None and oldest.tzinfo is None:  # SQLite drops the zone
        oldest = oldest.replace(tzinfo=ids.now().tzinfo)
    metrics.OUTBOX_AGE.set((ids.now() - oldest).total_seconds() if oldest else 0.0)
    conn.commit()


def wait_for_schema(engine: Engine, stop: threading.Event, max_backoff: float = 10.0,
                    beat=None) -> None:
    """Until the database answers at the head revision (or `stop`): a database that is down
    at start is waited for with capped backoff. A schema behind head still fails at once
    once the database answers (RuntimeError): waiting cannot fix that."""
    backoff = 0.5
    while not stop.is_set():
        try:
            migrate.check_at_head(engine)
            return
        except db.UNAVAILABLE as e:
            log.warning("metadata worker: database not reachable (%s); retrying in %.1fs",
                        type(e).__name__, backoff)
            if beat:
                beat()  # waiting for the database is not being wedged
            stop.wait(backoff)
            backoff = min(backoff * 2, max_backoff)


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    broker = create_broker(settings.broker_url, settings.queue_prefix)
    engine = db.create_engine(settings.database_url)
    beats = {name: Heartbeat(max_silence=60) for name in LOOPS}
    server = None
    if settings.metadata_worker_port:
        server = serve_ops(settings.metadata_worker_port,
                           {"database": lambda: db.ping(engine), "broker": broker.ping},
                           service="metadata-worker",
                           alive=lambda: [b.check() for b in beats.values()])
    wait_for_schema(engine, stop, beat=lambda: [b.beat() for b in beats.values()])
    if stop.is_set():
        return 0
    # Resize requests lost or given up on without a verdict (a broker that lost them, an
    # older release) are asked again; duplicates are harmless, failed images are not retried.
    requeued = requeue_unfinished(engine)
    if requeued:
        log.info("metadata worker: asked again for variants of %d images", requeued)
    threads = start_background(settings, stop, broker=broker, engine=engine, beats=beats)
    log.info("metadata worker running: outbox relay, resize.results and dead-letter consumers")
    status = 0
    while not stop.wait(0.5):
        if not all(t.is_alive() for t in threads):
            log.error("metadata worker: a background loop died; stopping")
            status = 1
            stop.set()
    for t in threads:
        t.join(timeout=30)
    if server:
        server.shutdown()
    broker.close()
    log.info("metadata worker stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
