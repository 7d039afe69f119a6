"""The mail server of `make up`: accepts every message on loopback and prints it, whole, to
its log (var/up/log/mail.log), where a developer opens the verification links.

Outside standalone the services refuse to start without SMTP_URL, so that live links never
land in a service's own log; this sink is the local stand-in for a real relay. Set SMTP_URL
to use a real one instead (then this process is not started).

`python -m deploy.local.mailsink <port>`"""
from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class _Print:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        text = envelope.content.decode("utf-8", errors="replace")
        sys.stdout.write(f"--- message for {', '.join(envelope.rcpt_tos)}\n{text}\n")
        sys.stdout.flush()
        return "250 OK"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(_Print(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"mail sink listening on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
