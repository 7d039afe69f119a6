"""Private PostgreSQL, Redis and RabbitMQ servers for tests that fault them (kill, stop,
restart, flush): never the machine's shared ones, which other people's runs are using.

Each lives in a temporary directory on free ports and is removed afterwards. The binaries
are the machine's (Debian packages postgresql, redis-server, rabbitmq-server — what .ci/run
already needs); PostgreSQL refuses to run as root, so as root it runs as the `postgres`
user. A missing binary fails loudly: these tests are never skipped.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.ports import free_ports


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_port(port: int, timeout: float, what: str, proc: subprocess.Popen | None = None,
              log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not port_open(port):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}):\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not listening on {port} after {timeout}s\n{_tail(log)}")
        time.sleep(0.2)


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


def _binary(name: str, *patterns: str) -> str:
    found = shutil.which(name)
    for pattern in patterns:
        matches = sorted(glob.glob(pattern))
        if matches:
            found = found or matches[-1]
    if not found:
        raise RuntimeError(f"{name} is not installed (apt-get install the Debian package)")
    return found


class PrivateRedis:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_ports(1)[0]
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.root / "redis.log"
        with open(log, "ab") as out:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [_binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.root)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_port(self.port, 20, "redis-server", self.proc, log)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def flush(self) -> None:
        import redis
        redis.Redis(port=self.port).flushall()


class PrivatePostgres:
    def __init__(self, root: Path | None = None):
        # Its own directory under the system temp dir: pytest's tmp_path is private to the
        # test user (0700), which the `postgres` user could not enter. `root` is ignored.
        self.root = Path(tempfile.mkdtemp(prefix="onepic-fault-pg-"))
        self.data = self.root / "pgdata"
        self.port = free_ports(1)[0]
        self.url = f"postgresql://root@127.0.0.1:{self.port}"
        bindir = Path(_binary("pg_ctl", "/usr/lib/postgresql/*/bin/pg_ctl")).resolve().parent
        self.initdb, self.pg_ctl = str(bindir / "initdb"), str(bindir / "pg_ctl")
        self._as = []
        if os.geteuid() == 0:  # initdb and postgres refuse root
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str, timeout: float = 120) -> None:
        done = subprocess.run([*self._as, *argv], capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)}: {done.stdout}{done.stderr}")

    def init(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-U", "root", "--auth=trust", "-E", "UTF8",
                  "--no-sync")

    def start(self) -> None:
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
                f"-c max_connections=200")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.root / "postgres.log"),
                  "-o", opts, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRabbit:
    """A RabbitMQ node of its own (RABBITMQ_NODENAME, ports and directories under root), no
    plugins, so nothing clashes with the machine's broker."""

    def __init__(self, root: Path):
        self.root = root
        self.port, self.dist = free_ports(2)
        self.node = f"onepic-fault-{os.getpid()}-{self.port}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        base = "/usr/lib/rabbitmq/bin"
        self.server = _binary("rabbitmq-server", f"{base}/rabbitmq-server")
        self.ctl = _binary("rabbitmqctl", f"{base}/rabbitmqctl")
        if os.path.exists(f"{base}/rabbitmq-server"):
            # Debian's /usr/sbin wrappers switch to the rabbitmq user and drop our variables.
            self.server, self.ctl = f"{base}/rabbitmq-server", f"{base}/rabbitmqctl"
        (root / "enabled_plugins").write_text("[].\n")
        self.env = {**os.environ, "RABBITMQ_NODENAME": self.node,
                    "RABBITMQ_NODE_PORT": str(self.port), "RABBITMQ_DIST_PORT": str(self.dist),
                    "RABBITMQ_MNESIA_BASE": str(root / "mnesia"),
                    "RABBITMQ_LOG_BASE": str(root / "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(root / "enabled_plugins"),
                    "RABBITMQ_CONFIG_FILE": str(root / "none"),
                    "RABBITMQ_PID_FILE": str(root / "rabbit.pid")}
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        log = self.root / "rabbit.out"
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([self.server], env=self.env, cwd=self.root,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        wait_port(self.port, timeout, "rabbitmq-server", self.proc, log)

    def kill(self) -> None:
        """As a crash would: the whole node's process group, at once."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(20)
        deadline = time.monotonic() + 20
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)

    def report(self) -> str:
        """What the node holds: each queue's ready/unacknowledged messages and consumers, and
        the consumers themselves; for the message of a failed test."""
        out = []
        for args in (["list_queues", "name", "messages_ready", "messages_unacknowledged",
                      "consumers"], ["list_consumers", "queue_name", "channel_pid",
                                     "prefetch_count", "active"]):
            done = subprocess.run([self.ctl, "-n", self.node, "-q", *args], env=self.env,
                                  capture_output=True, text=True, timeout=60)
            out.append(done.stdout.strip() or done.stderr.strip())
        return "\n".join(out)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            subprocess.run([self.ctl, "-n", self.node, "stop"], env=self.env,
                           capture_output=True, timeout=60)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
