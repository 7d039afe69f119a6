"""`python -m services.resizer`: the resizer worker process.

Refuses a setting it cannot use (fail fast, naming the setting, never the credentials), but
not a backend that is down: it starts anyway, reports it on /readyz and connects when the
backend returns (the consumer reconnects with capped backoff). Works on RESIZER_CONSUMERS
messages at once, each consumer with its own variant child (budget.py). Finishes the
messages in flight on SIGTERM/SIGINT, and serves /healthz (each consume loop's own
heartbeat: one wedged consumer fails it, even while the others work), /readyz and /metrics
on RESIZER_METRICS_PORT (0 disables).

Run it with MALLOC_ARENA_MAX=2 (see worker.py); the launcher sets it.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable

from shared.blobstore import create_blob_store
from shared.broker import create_broker
from shared.config import Settings
from shared.liveness import Heartbeat
from shared.ops_server import serve_ops
from shared.server import configure_logging

from .worker import run

log = logging.getLogger("services.resizer")


def main() -> int:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    safe = settings.redacted()
    try:
        blobs = create_blob_store(settings.blob_url)
        broker = create_broker(settings.broker_url, queue_prefix=settings.queue_prefix)
    except Exception as e:  # noqa: BLE001 - a setting we cannot use is a start-up error
        # The exception text may quote the URL with its credentials: print its type only.
        log.error("BLOB_URL %s / BROKER_URL %s are not usable (%s); exiting",
                  safe["blob_url"], safe["broker_url"], type(e).__name__)
        return 2
    for name, check in (("BLOB_URL", blobs.ping), ("BROKER_URL", broker.ping)):
        try:
            check()
        except Exception as e:  # noqa: BLE001 - down now is not down for ever
            log.warning("%s %s does not answer yet (%s); starting anyway", name,
                        safe[name.lower()], type(e).__name__)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    consumers, alive = consumer_threads(settings, stop, blobs=blobs, broker=broker)
    server = None
    if settings.resizer_metrics_port:
        server = serve_ops(settings.resizer_metrics_port,
                           {"blobstore": blobs.ping, "broker": broker.ping},
                           service="resizer", alive=alive)
    log.info("resizer consuming; settings %s", safe)
    try:
        for thread in consumers:
            thread.start()
        # Signals reach the main thread only, so it waits here (woken by the handler).
        while not stop.wait(0.5) and any(thread.is_alive() for thread in consumers):
            pass
    finally:
        stop.set()
        for thread in consumers:
            thread.join()
        if server:
            server.shutdown()
        broker.close()
    log.info("resizer stopped")
    return 0


def consumer_threads(settings: Settings, stop: threading.Event, *, blobs, broker,
                     clock: Callable[[], float] = time.monotonic,
                     ) -> tuple[list[threading.Thread], Callable[[], None]]:
    """RESIZER_CONSUMERS consume loops (not started) and the liveness check over them.

    Each consumer has its own broker connection (consume opens one), its own variant child
    (worker.run) and one message at a time: they resize in parallel on the cores. Each beats
    its own heartbeat: with one shared between them, a consumer stuck for good stayed hidden
    behind the beats of the other, and /healthz answered 200 while its message waited."""
    # Beats come at least every second from an alive loop; a handler is bounded by the
    # image budget, so silence well past it means the loop is stuck.
    beats = [Heartbeat(max_silence=settings.resize_timeout + 60, clock=clock)
             for _ in range(max(1, settings.resizer_consumers))]
    threads = [threading.Thread(target=run, args=(settings, stop),
                                kwargs={"blobs": blobs, "broker": broker, "beat": beat.beat},
                                name=f"resizer-consumer-{i}")
               for i, beat in enumerate(beats)]

    def alive() -> None:
        for beat in beats:
            beat.check()

    return threads, alive


if __name__ == "__main__":
    sys.exit(main())
