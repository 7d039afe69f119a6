"""The mailer of development and standalone mode: each message is written to the log.

That is the point of this mode (API.md): without SMTP_URL, the verification link a user
needs is read from the log. So the body, link and all, is logged on purpose."""
from __future__ import annotations

import logging
from email.message import EmailMessage

from . import Mailer

log = logging.getLogger("onepic.mail")


class LogMailer(Mailer):
    def send(self, message: EmailMessage) -> None:
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        log.info("mail (no SMTP_URL, so logged instead of sent)\nTo: %s\nSubject: %s\n\n%s",
                 message["To"], message["Subject"], text.rstrip())
