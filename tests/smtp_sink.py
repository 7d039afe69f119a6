"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests of
the SMTP mailer and of the verification flow. Optionally with STARTTLS (a self-signed
certificate made here) and a required login."""
from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import re
import ssl
import tempfile
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.ports import free_port


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.sink.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sink.received.append(email.message_from_bytes(envelope.content,
                                                           policy=email.policy.default))
        return "250 OK"


class SmtpSink:
    def __init__(self, *, starttls: bool = False, login: tuple[str, str] | None = None):
        self.received: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()
        self.port = free_port()
        self.cert_pem: str | None = None
        kwargs = {}
        if starttls:
            self.cert_pem, server_ctx = _self_signed()
            kwargs.update(tls_context=server_ctx, require_starttls=True)
        if login is not None:
            kwargs.update(authenticator=_authenticator(*login), auth_required=True)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                      **kwargs)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cadata=self.cert_pem)

    def links(self, to: str | None = None) -> list[str]:
        """The one URL of each verification message received (for `to`), oldest first.
        (The notices of an address added or removed hold no link and are skipped.)"""
        out = []
        for message in self.received:
            if to is not None and message["To"] != to:
                continue
            if "/v1/emails/verify?token=" not in message.get_body(("plain",)).get_content():
                continue
            urls = re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())
            assert len(urls) == 1, urls
            out.append(urls[0])
        return out


def _authenticator(user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535
    return check


def _self_signed() -> tuple[str, ssl.SSLContext]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as d:  # load_cert_chain reads files only
        cert_file, key_file = Path(d, "cert.pem"), Path(d, "key.pem")
        cert_file.write_text(cert_pem)
        key_file.write_text(key_pem)
        ctx.load_cert_chain(cert_file, key_file)
    return cert_pem, ctx
