"""`python -m services.metadata.reconcile [--verify]`: the whole read model from the database.

Without options: every entry (each user, photo and verified address) is rebuilt at a new
version, so it wins over whatever the cache holds, and announced to render; what cannot be
written stays pending for the metadata worker. With --verify: nothing is written; entries
that differ from the database are listed, and the exit status is 1 if there are any. It
checks every entry the database has, absent ones included, and every key a change ever
recorded (rm_versions): an entry left behind by a deletion — a photo, an account, an
address no longer verified — must be gone or negative.
A progress bar on stderr shows how far it is.
"""
from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa
from tqdm import tqdm

from shared.cache import create_cache
from shared.config import Settings
from shared.readmodel import MISSING, ReadModel
from shared.server import configure_logging

from . import db, migrate
from .db.schema import emails, photos, rm_versions, users
from .relay import readmodel_changes
from .relay.readmodel_writer import ReadModelWriter, build, key_of, split_key

BATCH = 200


def all_keys(conn) -> list[str]:
    keys = [key_of("user", u) for u in conn.execute(sa.select(users.c.username)).scalars()]
    keys += [key_of("photo", p) for p in conn.execute(sa.select(photos.c.id)).scalars()]
    for row in conn.execute(sa.select(emails.c.md5, emails.c.sha256)
                            .where(emails.c.verified_at.isnot(None))):
        keys += [key_of("email", row.md5), key_of("email", row.sha256)]
    return keys


def rebuild(engine, writer: ReadModelWriter, progress=True) -> int:
    """Every entry at a new version; how many landed."""
    landed = 0
    with engine.connect() as conn:
        keys = all_keys(conn)
        conn.commit()
        for i in tqdm(range(0, len(keys), BATCH), total=-(-len(keys) // BATCH),
                      desc="rebuilding read model", unit="batch", disable=not progress):
            chunk = keys[i:i + BATCH]
            with db.write(conn):
                readmodel_changes.mark(conn, chunk)
            landed += writer.apply(conn, chunk)
    return landed


def verify(engine, read_model: ReadModel, progress=True) -> list[str]:
    """Keys whose cached entry is not what the database says: an entry the database has
    must be cached as it is; one it has not (any more) must be negative or not cached."""
    wrong = []
    with engine.connect() as conn:
        keys = all_keys(conn)
        keys = list(dict.fromkeys(keys + list(conn.execute(sa.select(rm_versions.c.key)
                                                           .order_by(rm_versions.c.key))
                                              .scalars())))
        for key in tqdm(keys, desc="verifying read model", unit="key", disable=not progress):
            kind, name = split_key(key)
            expected = build(conn, kind, name)
            cached = read_model.get(kind, name)
            if cached != expected and not (expected is None and cached in (None, MISSING)):
                wrong.append(key)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.metadata.reconcile")
    parser.add_argument("--verify", action="store_true", help="compare only, write nothing")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    engine = db.create_engine(settings.database_url)
    try:
        migrate.check_at_head(engine)
        read_model = ReadModel(create_cache(settings.cache_url))
        if args.verify:
            wrong = verify(engine, read_model)
            for key in wrong:
                print(f"differs: {key}")  # noqa: T201 - the command's report
            print(f"{len(wrong)} entries differ from the database")  # noqa: T201
            return 1 if wrong else 0
        landed = rebuild(engine, ReadModelWriter(read_model))
        print(f"{landed} entries written")  # noqa: T201 - the command's report
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
