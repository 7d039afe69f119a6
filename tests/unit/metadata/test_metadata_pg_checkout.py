"""The Postgres pool's check of a connection at checkout (services/metadata/db/postgres.py):
a round trip only when the idle socket has something to read (decision 0067)."""
import socket

import pytest
import sqlalchemy as sa

from services.metadata.db.postgres import replace_dropped


class FakeConnection:
    """What replace_dropped uses of a psycopg2 connection; the "server" end is a socket."""

    def __init__(self, ping_fails: bool = False):
        self.ours, self.server = socket.socketpair()
        self.closed = 0
        self.pings = self.rollbacks = 0
        self.ping_fails = ping_fails

    def fileno(self):
        return self.ours.fileno()

    def cursor(self):
        conn = self

        class Cursor:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, sql):
                conn.pings += 1
                if conn.ping_fails:
                    raise OSError("server closed the connection unexpectedly")

        return Cursor()

    def rollback(self):
        self.rollbacks += 1

    def close(self):
        self.ours.close()
        self.server.close()


def test_an_idle_live_connection_is_not_pinged():
    conn = FakeConnection()
    try:
        replace_dropped(conn, None, None)
        assert conn.pings == 0
    finally:
        conn.close()


def test_a_connection_the_server_closed_is_replaced():
    conn = FakeConnection(ping_fails=True)
    try:
        conn.server.close()  # the FIN makes our end readable
        with pytest.raises(sa.exc.DisconnectionError):
            replace_dropped(conn, None, None)
        assert conn.pings == 1
    finally:
        conn.ours.close()


def test_a_readable_connection_that_answers_the_ping_is_kept():
    conn = FakeConnection()
    try:
        conn.server.send(b"N")  # a notice, say: something to read, not a close
        replace_dropped(conn, None, None)
        assert (conn.pings, conn.rollbacks) == (1, 1)
    finally:
        conn.close()


def test_a_connection_psycopg2_knows_closed_is_replaced_without_a_ping():
    conn = FakeConnection()
    conn.closed = 2
    try:
        with pytest.raises(sa.exc.DisconnectionError):
            replace_dropped(conn, None, None)
        assert conn.pings == 0
    finally:
        conn.close()
