"""`python -m services.metadata.gc [--grace SECONDS]`: one garbage-collection pass now."""
from __future__ import annotations

import argparse
import json
import sys

from shared.blobstore import create_blob_store
from shared.config import Settings
from shared.server import configure_logging

from .. import db, migrate
from . import sweep


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m services.metadata.gc")
    parser.add_argument("--grace", type=float, default=settings.gc_grace,
                        help="seconds an image must have been unreferenced (default GC_GRACE)")
    args = parser.parse_args(argv)
    configure_logging(settings.log_level)
    engine = db.create_engine(settings.database_url)
    try:
        migrate.check_at_head(engine)
        removed = sweep(engine, create_blob_store(settings.blob_url), grace=args.grace)
    finally:
        engine.dispose()
    print(json.dumps(removed))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    sys.exit(main())
