"""Mail over SMTP (smtplib): smtp://[user:pass@]host[:port], or smtp+starttls://… to
upgrade the connection with STARTTLS (certificate verified) before logging in. A server
with a private CA: point SSL_CERT_FILE at it (OpenSSL's default context reads it).

A connection per message: verification mail is rare next to everything else, and a pooled
connection would need keep-alive and reconnect logic for no measurable gain."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from . import Mailer, MailUnavailable

DEFAULT_PORT = 25
TIMEOUT = 10.0  # seconds; a request waits on this, so it stays short


class SmtpMailer(Mailer):
    def __init__(self, host: str, port: int = DEFAULT_PORT, *, username: str | None = None,
                 password: str | None = None, starttls: bool = False,
                 ssl_context: ssl.SSLContext | None = None, timeout: float = TIMEOUT):
        if (username is None) != (password is None):
            raise ValueError("SMTP_URL: give both user and password, or neither")
        self.host, self.port = host, port
        self._username, self._password = username, password
        self.starttls = starttls
        self._ssl_context = ssl_context
        self.timeout = timeout

    @classmethod
    def from_url(cls, url: str, **kwargs) -> SmtpMailer:
        parts = urlsplit(url)
        if not parts.hostname:
            raise ValueError("SMTP_URL: a host is required, e.g. smtp://mail.example.com:587")
        return cls(parts.hostname, parts.port or DEFAULT_PORT,
                   username=unquote(parts.username) if parts.username is not None else None,
                   password=unquote(parts.password) if parts.password is not None else None,
                   starttls=parts.scheme == "smtp+starttls", **kwargs)

    def send(self, message: EmailMessage) -> None:
        smtp = None
        try:
            # Host given to the constructor: STARTTLS checks the certificate against it.
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=self._ssl_context or ssl.create_default_context())
            if self._username is not None:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as e:
            if smtp is not None:
                smtp.close()
            # Only the class and the server's reply code: an exception's text can echo what
            # the client sent (AUTH), and this message is logged.
            raise MailUnavailable(f"{self.host}:{self.port}: {_describe(e)}") from None
        # Accepted once send_message returns; a failing QUIT does not unsend it.
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _describe(e: BaseException) -> str:
    if isinstance(e, smtplib.SMTPResponseException):
        return f"{type(e).__name__} {e.smtp_code}"
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        return f"{type(e).__name__} (recipient refused)"
    return type(e).__name__
