"""Services mode only: an upload while RabbitMQ is stopped still answers 201 (the resize
request waits in the outbox), and its variants appear once the broker is back."""
import socket
import subprocess
import time

import pytest

from .images import GREEN, close_to, decode, jpeg


def rabbitmqctl(*args):
    done = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"rabbitmqctl {' '.join(args)}: {done.stdout}{done.stderr}"


def wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"port {port} closed after {timeout}s"
            time.sleep(0.5)


# Standalone's broker is in-process, so there is nothing to stop there: this runs on services only.
@pytest.mark.parametrize("system", ["services"], indirect=True)
def test_upload_survives_a_broker_outage(system, user, anonymous):
    rabbitmqctl("stop_app")
    try:
        photo = user.upload_ok(jpeg(GREEN))
        assert photo["status"] == "processing"
        # Meanwhile the picture is served from the original.
        r = anonymous.get(f"/i/{photo['id']}", params={"size": "small"})
        assert r.status_code == 200 and close_to(decode(r.content), GREEN)
        time.sleep(1)
        assert user.get(f"/v1/photos/{photo['id']}").json()["status"] == "processing"
    finally:
        rabbitmqctl("start_app")
        wait_port(5672, 120)
    # Relay and resizer reconnect with capped backoff; give them room beyond the usual 15 s.
    ready = user.wait_ready(photo["id"], timeout=60)
    assert ready["variants"]["small"]
    img = decode(anonymous.get(f"/i/{photo['id']}", params={"size": "small"}).content)
    assert max(img.size) == 256 and close_to(img, GREEN)
