"""The mailer choice (SMTP_URL), the log mailer and the verification message itself.
The SMTP path against a real server: tests/integration/test_smtp_mailer.py."""
import logging
import re

import pytest

from services.metadata.emails import verification
from shared.config import Settings
from shared.mail import create_mailer
from shared.mail.log import LogMailer
from shared.mail.smtp import SmtpMailer

PENDING = verification.Pending("arpit@example.com", "arpit", "tok_abc-123")


def test_no_smtp_url_means_the_log_mailer():
    assert isinstance(create_mailer(""), LogMailer)


@pytest.mark.parametrize("url,host,port,login,starttls", [
    ("smtp://mail.example.com", "mail.example.com", 25, None, False),
    ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, None, False),
    ("smtp+starttls://me%40x.org:p%3Ass@mail.example.com:587", "mail.example.com", 587,
     ("me@x.org", "p:ss"), True),
])
def test_smtp_urls(url, host, port, login, starttls):
    mailer = create_mailer(url)
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.starttls) == (host, port, starttls)
    assert (None if mailer._username is None else (mailer._username, mailer._password)) == login


@pytest.mark.parametrize("url", ["smtps://mail.example.com", "http://x", "smtp://",
                                 "smtp://user@mail.example.com"])
def test_bad_smtp_urls_fail_at_start(url):
    with pytest.raises(ValueError, match="SMTP_URL"):
        create_mailer(url)


def test_the_smtp_password_is_masked_in_logged_settings():
    s = Settings(smtp_url="smtp+starttls://mailer:hunter22@mail.example.com:587")
    shown = s.redacted()["smtp_url"]
    assert "hunter22" not in str(s.redacted()) and shown.endswith("mailer:***@mail.example.com:587")


def test_the_message_has_exactly_one_absolute_verification_url():
    settings = Settings(public_url="https://onepic.example/", mail_from="OnePic <x@onepic.example>")
    msg = verification.message(settings, PENDING)
    assert msg["To"] == "arpit@example.com" and msg["From"] == "OnePic <x@onepic.example>"
    text = msg.get_body(("plain",)).get_content()
    assert re.findall(r"https?://\S+", text) == [
        "https://onepic.example/v1/emails/verify?token=tok_abc-123"]
    assert "24 hours" in text and '"arpit"' in text
    # The link is on one unbroken line in the raw message too (no quoted-printable folding).
    assert "https://onepic.example/v1/emails/verify?token=tok_abc-123" in msg.as_string()


@pytest.mark.parametrize("ttl,words", [(900, "15 minutes"), (60, "1 minute"), (3600, "1 hour"),
                                       (48 * 3600, "48 hours")])
def test_the_message_says_how_long_the_link_lasts(ttl, words):
    text = verification.message(Settings(email_token_ttl=ttl), PENDING).get_content()
    assert f"within {words}:" in text


def test_the_log_mailer_writes_the_message_link_included(caplog):
    # The point of running without SMTP_URL (API.md): the link is read from the log.
    with caplog.at_level(logging.INFO, logger="onepic.mail"):
        LogMailer().send(verification.message(Settings(public_url="https://o.test"), PENDING))
    assert "To: arpit@example.com" in caplog.text
    assert "https://o.test/v1/emails/verify?token=tok_abc-123" in caplog.text
