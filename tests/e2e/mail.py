"""Verification messages the system under test sent, read from its logs.

Standalone has no SMTP_URL (tests/e2e/launch.py sets none and inherits none), so it writes
each message to its log (API.md); the separate services refuse to run without a mail server,
and `make up`'s mail sink prints what it receives to its log (log/mail.log). Every log of the
system under test is inside its workdir, in both modes. The browser tier reads the same."""
from __future__ import annotations

import re
import time

LINK = re.compile(r"https?://\S+/v1/emails/verify\?token=([A-Za-z0-9._~%-]+)")


def verification_match(system, address: str, timeout: float = 10.0) -> re.Match:
    """The link of the last verification message sent to `address` (group 1: the token)."""
    deadline = time.monotonic() + timeout
    while True:
        for log in sorted(system.workdir.rglob("*.log")):
            text = log.read_text(errors="replace")
            at = text.rfind(f"To: {address}")
            if at >= 0 and (found := LINK.search(text, at)):
                return found
        assert time.monotonic() < deadline, f"no verification message for {address}"
        time.sleep(0.1)


def verification_link(system, address: str, timeout: float = 10.0) -> str:
    return verification_match(system, address, timeout).group(0)


def verification_token(system, address: str, timeout: float = 10.0) -> str:
    return verification_match(system, address, timeout).group(1)
