"""`python -m services.metadata.worker`: the outbox relay and the resize.results consumer,
until SIGTERM. Standalone mode runs the same two loops as threads via start_background."""
from __future__ import annotations

import logging
import signal
import sys
import threading

from sqlalchemy.engine import Engine

from shared.broker import RESIZE_RESULTS, Broker, create_broker
from shared.cache import Cache, create_cache
from shared.config import Settings
from shared.readmodel import ReadModel
from shared.server import configure_logging

from . import db, migrate
from .relay.outbox import OutboxRelay
from .relay.readmodel_writer import ReadModelWriter
from .relay.results import ResultsConsumer

log = logging.getLogger(__name__)


def start_background(settings: Settings, stop: threading.Event, *, cache: Cache | None = None,
                     broker: Broker | None = None,
                     engine: Engine | None = None) -> list[threading.Thread]:
    """Start the two loops. Pass `engine` to share one already checked at head (standalone
    shares the metadata app's: one pool on the SQLite file, one schema check)."""
    if engine is None:
        engine = db.create_engine(settings.database_url)
        migrate.check_at_head(engine)
    if cache is None:  # not `or`: an empty cache is falsy (it has a length)
        cache = create_cache(settings.cache_url)
    if broker is None:
        broker = create_broker(settings.broker_url, settings.queue_prefix)
    relay = OutboxRelay(engine, broker)
    consumer = ResultsConsumer(engine, ReadModelWriter(ReadModel(cache)))
    threads = [
        threading.Thread(target=relay.run, args=(stop,), name="metadata-outbox", daemon=True),
        threading.Thread(target=broker.consume, args=(RESIZE_RESULTS, consumer.handle, stop),
                         name="metadata-results", daemon=True),
    ]
    for t in threads:
        t.start()
    return threads


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    broker = create_broker(settings.broker_url, settings.queue_prefix)
    threads = start_background(settings, stop, broker=broker)
    log.info("metadata worker running: outbox relay and resize.results consumer")
    status = 0
    while not stop.wait(0.5):
        if not all(t.is_alive() for t in threads):
            log.error("metadata worker: a background loop died; stopping")
            status = 1
            stop.set()
    for t in threads:
        t.join(timeout=30)
    broker.close()
    log.info("metadata worker stopped")
    return status


if __name__ == "__main__":
    sys.exit(main())
