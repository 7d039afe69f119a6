"""Private Redis and RabbitMQ servers for a full benchmark run, so the CPU they spend is the
bench's alone (cpu.py) and other users of the machine's shared servers neither disturb nor are
disturbed. Each listens on a free loopback port with its data under var/bench and is removed
when it stops. Quick mode (the test suite) uses the shared servers: starting RabbitMQ costs
seconds the quick budget does not have."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .tools import VAR, Proc, free_port


def _wait_port(port: int, timeout: float, proc: Proc) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited before port {port} opened:\n{proc.tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proc.name}: port {port} not open after {timeout:g}s:\n{proc.tail()}")


class Redis:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.proc = Proc(f"redis-{self.port}", [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no"])
        _wait_port(self.port, 20, self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        self.proc.stop()


class RabbitMQ:
    """A node of its own (RABBITMQ_NODENAME …), no plugins, started through Debian's
    rabbitmq-server script, which runs the node as the rabbitmq user: its folders are handed
    to that user."""

    def __init__(self):
        self.port, dist = free_port(), free_port()
        self.name = f"onepicbench{self.port}@localhost"
        self.base = VAR / f"rabbitmq-{self.port}"
        shutil.rmtree(self.base, ignore_errors=True)
        for sub in ("mnesia", "log"):
            (self.base / sub).mkdir(parents=True)
        (self.base / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:
            shutil.chown(self.base, "rabbitmq", "rabbitmq")
            for p in self.base.rglob("*"):
                shutil.chown(p, "rabbitmq", "rabbitmq")
        env = {"PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin",
               "HOME": os.environ.get("HOME", "/root"),
               "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
               "RABBITMQ_DIST_PORT": str(dist),
               "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
               "RABBITMQ_LOG_BASE": str(self.base / "log"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
               "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq")}
        self.proc = Proc(f"rabbitmq-{self.port}", ["rabbitmq-server"], env=env)
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        _wait_port(self.port, 90, self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        # rabbitmqctl stops the node cleanly; the group signal then ends the script's session
        # (Proc starts one) with anything left in it.
        subprocess.run(["rabbitmqctl", "-n", self.name, "stop"], capture_output=True,
                       timeout=60, env={"PATH": os.environ.get("PATH", "") + ":/usr/sbin"})
        self.proc.stop(grace=30)
        shutil.rmtree(self.base, ignore_errors=True)


def available() -> bool:
    return bool(shutil.which("redis-server")) and bool(
        shutil.which("rabbitmq-server") or Path("/usr/sbin/rabbitmq-server").exists())
