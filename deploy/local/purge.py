"""Everything `up` created, removed: the database, the durable queues of the plan's prefix and
its dead-letter exchange,
the plan's Redis db and its var dir except the logs (kept to read what happened). For
throwaway copies (the end-to-end tests, the benchmarks) and for a developer who wants a clean
`make up`."""
from __future__ import annotations

import shutil
import subprocess

from .plan import Plan


def drop_database(plan: Plan) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{plan.postgres}/postgres", connect_timeout=5)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{plan.database}" WITH (FORCE)')
    finally:
        conn.close()


def delete_queues(plan: Plan) -> None:
    """Durable queues and exchanges outlive the processes; remove the queues named
    `<prefix>.…`, then the dead-letter exchange `<prefix>.dead` (rabbitmqctl cannot delete an
    exchange, so that goes through the broker module)."""
    from shared.broker.amqp import AmqpBroker

    prefix = plan.env["QUEUE_PREFIX"]
    for name in _rabbitmqctl("list_queues", "name").split():
        if name.startswith(prefix + "."):
            _rabbitmqctl("delete_queue", name)
    AmqpBroker(plan.env["BROKER_URL"], queue_prefix=prefix).delete_dead_letter_exchange()


def flush_cache(plan: Plan) -> None:
    import redis

    redis.Redis.from_url(plan.env["CACHE_URL"]).flushdb()


def purge(plan: Plan) -> None:
    drop_database(plan)
    delete_queues(plan)
    flush_cache(plan)
    if plan.var.is_dir():
        for entry in plan.var.iterdir():
            if entry != plan.log_dir:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()


def _rabbitmqctl(*args: str) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} exited {done.returncode}: "
                           f"{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout
