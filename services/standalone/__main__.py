"""Standalone mode: all four services in one process on the embedded backends.

`python -m services.standalone` serves the public origin on PORT (8080). The services are
the same app factories and workers that run as separate processes in `make up`; here they
share one in-process cache and queue (memory:// URLs name process-wide instances), and
upload/render reach metadata's internal API in-process instead of over HTTP. Migrations are
applied beforehand by `make migrate` (as in every mode), not here."""
from __future__ import annotations

import logging
import threading

from shared.config import Settings
from shared.server import configure_logging, serve

log = logging.getLogger("onepic.standalone")


def build(settings: Settings, stop: threading.Event):
    """The origin WSGI app, with the background workers started beside it."""
    from services.metadata import context
    from services.metadata.app import INTERNAL
    from services.metadata.app import create_app as metadata_app
    from services.metadata.relay.reconcile import requeue_unfinished
    from services.metadata.worker import start_background
    from services.render.app import create_app as render_app
    from services.resizer.worker import run as run_resizer
    from services.upload.app import create_app as upload_app
    from shared.blobstore import create_blob_store
    from shared.cache import create_cache
    from shared.internal import MetadataClient

    from .origin import Origin

    cache = create_cache(settings.cache_url)
    blobs = create_blob_store(settings.blob_url)
    metadata = metadata_app(settings, cache=cache, blobs=blobs)
    client = MetadataClient.in_process(metadata.extensions[INTERNAL], settings.internal_token)
    apps = {
        "metadata": metadata,
        "upload": upload_app(settings, blobs=blobs, metadata=client),
        "render": render_app(settings, cache=cache, blobs=blobs, metadata=client),
    }
    # One engine for the process: the metadata app's, already checked at head. Separate ones
    # would each hold a pool on the same SQLite file and check the schema again.
    engine = metadata.extensions[context.EXTENSION].engine
    # The in-process queue did not survive the last stop: ask again for missing variants.
    requeued = requeue_unfinished(engine)
    if requeued:
        log.info("re-queued %d image(s) still without variants", requeued)
    start_background(settings, stop, cache=cache, engine=engine, blobs=blobs)
    threading.Thread(target=run_resizer, args=(settings, stop), kwargs={"blobs": blobs},
                     name="resizer", daemon=True).start()
    log.info("standalone origin on %s with %s", settings.origin, settings.redacted())
    return Origin(apps)


def main() -> None:
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    stop = threading.Event()
    # One worker process: the in-process queue and cache must be shared by every service.
    serve(lambda: build(settings, stop), port=settings.port, host=settings.host, workers=1,
          threads=16,
          worker_exit=lambda server, worker: stop.set())


if __name__ == "__main__":
    main()
