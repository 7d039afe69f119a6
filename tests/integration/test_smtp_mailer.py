"""The SMTP mailer (shared/mail/smtp.py) against a real SMTP server on loopback: plain,
STARTTLS with a login, and every way delivery can fail, without leaking the password."""
import logging
import time
from email.message import EmailMessage

import pytest

from shared.mail import MailUnavailable, create_mailer
from shared.mail.smtp import SmtpMailer
from tests.smtp_sink import SmtpSink, free_port

LINK = "https://onepic.test/v1/emails/verify?token=abc"


def message(to="someone@example.com") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "OnePic <no-reply@onepic.test>", to, "Confirm"
    msg.set_content(f"Open {LINK}\n")
    return msg


def test_plain_smtp_delivers_the_message():
    with SmtpSink() as sink:
        create_mailer(f"smtp://{sink.hostport}").send(message())
    [got] = sink.received
    assert got["To"] == "someone@example.com" and got["Subject"] == "Confirm"
    assert sink.links() == [LINK]


def test_starttls_with_login_delivers_the_message():
    with SmtpSink(starttls=True, login=("mailer", "s3cret/pw")) as sink:
        # The password is percent-encoded in the URL, as any URL credential.
        mailer = SmtpMailer.from_url(f"smtp+starttls://mailer:s3cret%2Fpw@{sink.hostport}",
                                     ssl_context=sink.client_context())
        mailer.send(message())
    assert sink.links() == [LINK]


def test_a_wrong_password_fails_without_saying_it(caplog):
    with SmtpSink(starttls=True, login=("mailer", "right-password")) as sink:
        mailer = SmtpMailer.from_url(f"smtp+starttls://mailer:wrong-password@{sink.hostport}",
                                     ssl_context=sink.client_context())
        with caplog.at_level(logging.DEBUG), pytest.raises(MailUnavailable) as e:
            mailer.send(message())
    assert "SMTPAuthenticationError 535" in str(e.value)
    assert "wrong-password" not in str(e.value) and "wrong-password" not in caplog.text
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert sink.received == []


def test_starttls_checks_the_certificate():
    # Self-signed and not trusted by the default context: refused, nothing sent in clear.
    with (SmtpSink(starttls=True, login=("mailer", "pw")) as sink,
          pytest.raises(MailUnavailable, match="SSLCertVerificationError")):
        create_mailer(f"smtp+starttls://mailer:pw@{sink.hostport}").send(message())
    assert sink.received == []


def test_a_server_that_requires_tls_refuses_plain_smtp():
    with SmtpSink(starttls=True) as sink, pytest.raises(MailUnavailable):
        create_mailer(f"smtp://{sink.hostport}").send(message())
    assert sink.received == []


def test_a_refused_recipient_is_unavailable():
    with SmtpSink() as sink:
        sink.refuse.add("nobody@example.com")
        with pytest.raises(MailUnavailable, match="recipient refused"):
            create_mailer(f"smtp://{sink.hostport}").send(message("nobody@example.com"))
    assert sink.received == []


def test_nothing_listening_fails_fast():
    t0 = time.monotonic()
    with pytest.raises(MailUnavailable, match="ConnectionRefusedError"):
        create_mailer(f"smtp://127.0.0.1:{free_port()}").send(message())
    assert time.monotonic() - t0 < 2
