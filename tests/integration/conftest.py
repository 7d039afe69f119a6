"""Fixtures for tests against real servers.

Postgres, Redis and RabbitMQ must already be running (override their URLs with
TEST_DATABASE_URL, TEST_REDIS_URL, TEST_AMQP_URL); the S3-protocol server is moto, started
here. A missing server fails the run loudly: these tests are never skipped.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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
def moto_server(tmp_path_factory):
    """Endpoint URL of a moto S3 server on loopback, for this session."""
    port = _free_port()
    # Its request log goes to a file: a pipe nobody reads would fill up and stall the server.
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    log_file = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    try:
        while True:
            if proc.poll() is not None:
                err = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"moto server exited with {proc.returncode}:\n{err}", pytrace=False)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("moto server did not start listening within 20 s", pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.close()


@pytest.fixture
def aws_test_credentials(monkeypatch, tmp_path):
    """Dummy credentials moto accepts, isolated from any real AWS config on the machine."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
