"""The verification message: issuing its token (with the resend throttle), composing it and
sending it after the transaction that issued the token has committed.

The message holds exactly one absolute URL, `<origin>/v1/emails/verify?token=<token>`.
The token itself is never logged; without SMTP_URL the log mailer writes the whole message,
link included, to the log (API.md: that is how one verifies without a mail server)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy.engine import Connection

from shared.config import Settings
from shared.errors import ApiError
from shared.mail import Mailer, MailUnavailable

from . import tokens as email_tokens

log = logging.getLogger(__name__)

VERIFY_PATH = "/v1/emails/verify"


@dataclass(frozen=True)
class Pending:
    """A committed token whose message is still to be sent."""
    address: str
    username: str
    token: str


def throttled(conn: Connection, claim: dict, now: datetime, settings: Settings) -> bool:
    """Whether this account's claim of the address was mailed too recently to send another.

    Per claim, not per address: a throttle shared by every account let an attacker who
    re-claims a victim's address every minute keep the victim's own message at 429. Floods
    across accounts are bounded by the per-account and per-address rate limits of claims
    and sign-ups (LIMIT_EMAIL_CLAIMS, LIMIT_SIGNUP), and the owner's "Not me" bars an account
    from the address for good.

    Checked without a lock: two requests racing past it send two messages, which is fine;
    the point is to stop floods, not to count exactly."""
    last = email_tokens.last_sent_for(conn, claim["id"])
    return last is not None and (now - last).total_seconds() < settings.email_resend_interval


def issue(conn: Connection, claim: dict, username: str, now: datetime,
          settings: Settings) -> Pending:
    token = email_tokens.issue(conn, claim["id"], email_tokens.VERIFY, now,
                               settings.email_token_ttl)
    return Pending(claim["email"], username, token)


def issue_or_429(conn: Connection, claim: dict, username: str, now: datetime,
                 settings: Settings) -> Pending:
    if throttled(conn, claim, now, settings):
        raise ApiError(429, "too_many_requests",
                       "A verification message went to this address moments ago; check the "
                       f"inbox, or try again in {settings.email_resend_interval} seconds.")
    return issue(conn, claim, username, now, settings)


def verify_url(origin: str, token: str) -> str:
    return f"{origin}{VERIFY_PATH}?token={token}"


def message(settings: Settings, pending: Pending) -> EmailMessage:
    validity = _duration(settings.email_token_ttl)
    text = (
        f"Hello,\n\n"
        f"the OnePic account \"{pending.username}\" asked to show its picture for the email "
        f"address {pending.address}.\n\n"
        f"If that is your account, confirm the address by opening this link within "
        f"{validity}:\n\n"
        f"{verify_url(settings.origin, pending.token)}\n\n"
        f"If it is not, ignore this message: nothing changes unless the link is opened.\n")
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = pending.address
    msg["Subject"] = "Confirm your email address for OnePic"
    msg["Message-ID"] = make_msgid(domain="onepic")
    # 7bit keeps the link on one unbroken line for any client (quoted-printable would fold
    # it); lines stay far below SMTP's 998-character limit.
    msg.set_content(text, cte="7bit" if text.isascii() else None)
    return msg


def _duration(seconds: int) -> str:
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def notice(settings: Settings, address: str, username: str, added: bool) -> EmailMessage:
    """The message telling an address's owner that it now shows, or stopped showing, an
    account's picture: a confirmation done by someone who can read this mailbox, or a
    removal, should never come as a surprise. It holds no link that acts."""
    if added:
        subject = "Your email address now shows a OnePic picture"
        what = (f"the email address {address} was confirmed for the OnePic account "
                f"\"{username}\": sites that show avatars by email now show its picture.")
    else:
        subject = "Your email address was removed from a OnePic account"
        what = (f"the email address {address} was removed from the OnePic account "
                f"\"{username}\": its picture is no longer shown for the address.")
    text = (f"Hello,\n\n{what}\n\nIf you did not expect this, someone may be able to read "
            f"your mail or use that account; change its password.\n")
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = address
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="onepic")
    msg.set_content(text, cte="7bit" if text.isascii() else None)
    return msg


def send_notice(mailer: Mailer, settings: Settings, address: str, username: str,
                added: bool) -> None:
    """After the change has committed; a failure is logged and changes nothing."""
    try:
        mailer.send(notice(settings, address, username, added))
    except MailUnavailable as e:
        log.error("notice to %s not sent: %s", address, e)


def send(mailer: Mailer, settings: Settings, pending: Pending) -> bool:
    """Send the message; False (logged, without the token) when it could not be sent."""
    try:
        mailer.send(message(settings, pending))
    except MailUnavailable as e:
        log.error("verification mail to %s not sent: %s", pending.address, e)
        return False
    return True
