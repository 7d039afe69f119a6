"""Free loopback ports for servers the tests start (the one helper; tests/integration/conftest.py
still has its own)."""
from __future__ import annotations

import socket


def free_ports(n: int) -> list[int]:
    """`n` distinct ports the kernel had free a moment ago on 127.0.0.1 (all sockets are held
    open together, so the same port cannot be handed out twice)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port() -> int:
    return free_ports(1)[0]
