"""A kept connection's idle socket, asked without a round trip."""
from __future__ import annotations

import select


def readable(sock) -> bool:
    """Whether an idle kept connection has something to read (a socket or its fd), without
    waiting. An idle peer sends nothing unless it is closing the connection (a FIN, an error
    message), so a readable idle connection is one not to reuse as it is. Used by the
    metadata client's keep-alive pool and the Postgres pool's checkout."""
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
