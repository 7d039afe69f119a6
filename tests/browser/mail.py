"""The verification link of a message the system under test sent. It has no SMTP_URL
(tests/e2e/launch.py), so its services write each message to their log, as in tests/e2e."""
from __future__ import annotations

import re
import time

LINK = re.compile(r"https?://\S+/v1/emails/verify\?token=[A-Za-z0-9._~%-]+")


def verification_link(system, address: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        for log in sorted(system.workdir.rglob("*.log")):
            text = log.read_text(errors="replace")
            at = text.rfind(f"To: {address}")
            if at >= 0 and (found := LINK.search(text, at)):
                return found.group(0)
        assert time.monotonic() < deadline, f"no verification message for {address}"
        time.sleep(0.1)
