"""Outgoing mail: a `Mailer` sends one `email.message.EmailMessage`.

One module per backend (`smtp`, `log`), chosen by SMTP_URL; nothing outside them imports
smtplib. Callers send after their transaction commits and decide what a failure means.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from email.message import EmailMessage
from urllib.parse import urlsplit


class MailUnavailable(RuntimeError):
    """The message was not accepted for delivery. The text never holds credentials."""


class Mailer(ABC):
    @abstractmethod
    def send(self, message: EmailMessage) -> None:
        """Hand the message (From/To/Subject set) over for delivery. Raises MailUnavailable."""


def create_mailer(url: str) -> Mailer:
    """SMTP_URL → a mailer: empty → log; smtp:// or smtp+starttls:// → SMTP."""
    if not url:
        from .log import LogMailer
        return LogMailer()
    scheme = urlsplit(url).scheme
    if scheme in ("smtp", "smtp+starttls"):
        from .smtp import SmtpMailer
        return SmtpMailer.from_url(url)
    raise ValueError(f"SMTP_URL: unsupported scheme {scheme!r} (use smtp:// or smtp+starttls://)")
