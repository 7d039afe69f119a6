"""`python -m deploy.local purge` removes what `up` made: database, queues, Redis db, files."""
import os
import subprocess
import sys

import psycopg2
import pytest
import redis

from deploy.local.plan import ROOT, build
from shared.broker import RESIZE_REQUESTS
from shared.broker.amqp import AmqpBroker

pytestmark = pytest.mark.integration


def test_purge_removes_everything_up_made_but_the_logs(tmp_path, run_id):
    env = {"UP_DATABASE": f"onepic_purge_{run_id}", "QUEUE_PREFIX": f"purge_{run_id}",
           "UP_REDIS_DB": "11", "UP_VAR_DIR": str(tmp_path / "up"),
           **{k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}}
    plan = build(env)
    admin = psycopg2.connect(f"{plan.postgres}/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{plan.database}"')
    broker = AmqpBroker(plan.env["BROKER_URL"], queue_prefix=env["QUEUE_PREFIX"])
    broker.publish(RESIZE_REQUESTS, {"sha256": "0" * 64})
    broker.close()
    cache = redis.Redis.from_url(plan.env["CACHE_URL"])
    cache.set("rm:user:someone", b"{}")
    (plan.var / "blobs").mkdir(parents=True)
    (plan.var / "blobs" / "x").write_bytes(b"x")
    plan.log_dir.mkdir(parents=True)
    (plan.log_dir / "render.log").write_text("kept")

    done = subprocess.run([sys.executable, "-m", "deploy.local", "purge"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (plan.database,))
        assert cur.fetchone() is None
    admin.close()
    queues = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True,
                            text=True, timeout=60).stdout.split()
    assert not [q for q in queues if q.startswith(env["QUEUE_PREFIX"] + ".")]
    exchanges = subprocess.run(["rabbitmqctl", "-q", "list_exchanges", "name"],
                               capture_output=True, text=True, timeout=60).stdout.split()
    assert f"{env['QUEUE_PREFIX']}.dead" not in exchanges  # the dead-letter exchange too
    assert cache.dbsize() == 0
    assert not (plan.var / "blobs").exists()
    assert (plan.log_dir / "render.log").read_text() == "kept"
