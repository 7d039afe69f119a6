"""Password reset by mail, with the same rule as verification: opening the link changes
nothing (GET shows whose account it is), a POST with the new password does the reset.

- POST /v1/password-resets {"username"} → 202 always, so the answer does not tell which
  usernames exist or have a verified address; a link goes to each verified address of the
  account (none: nothing is sent). Rate-limited like sign-in attempts.
- GET /v1/password-resets?token=… → 200 {"username", "expires_at"}; bad or expired → 400.
- POST /v1/password-resets/confirm {"token", "new_password"} → 204: the password is
  replaced, every token of the account is revoked, and every reset link of it dies.

Reset links live in email_tokens (purpose "reset", tied to the verified address they were
sent to) and are good for RESET_TTL seconds."""
from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.config import Settings
from shared.errors import ApiError
from shared.mail import Mailer, MailUnavailable

from .. import ids
from ..db.schema import email_tokens as token_rows
from ..db.schema import emails, users
from ..emails import tokens as email_tokens

log = logging.getLogger(__name__)

RESET = "reset"
RESET_TTL = 3600
RESET_PATH = "/v1/password-resets"


def issue(conn: Connection, username: str, now: datetime) -> list[tuple[str, str]]:
    """(address, token) for each verified address of the account; [] for no such user."""
    rows = conn.execute(sa.select(emails.c.id, emails.c.email)
                        .select_from(emails.join(users, emails.c.user_id == users.c.id))
                        .where(users.c.username == username,
                               emails.c.verified_at.isnot(None))).fetchall()
    return [(r.email, email_tokens.issue(conn, r.id, RESET, now, RESET_TTL)) for r in rows]


def _live(conn: Connection, token: str, now: datetime) -> tuple[dict, str]:
    found = email_tokens.find(conn, token, RESET)
    if found is None or found["used_at"] is not None:
        raise ApiError(400, "invalid_token", "This reset link is not valid (any more).")
    if email_tokens.aware(found["expires_at"]) <= now:
        raise ApiError(400, "expired_token", "This reset link has expired; ask for a new one.")
    user_id = conn.execute(sa.select(emails.c.user_id)
                           .where(emails.c.id == found["email_id"])).scalar()
    if user_id is None:
        raise ApiError(400, "invalid_token", "This reset link is not valid (any more).")
    return found, user_id


def show(conn: Connection, token: str, now: datetime) -> dict:
    found, user_id = _live(conn, token, now)
    username = conn.execute(sa.select(users.c.username).where(users.c.id == user_id)).scalar()
    return {"username": username,
            "expires_at": ids.iso(email_tokens.aware(found["expires_at"]))}


def redeem(conn: Connection, token: str, now: datetime) -> str:
    """The user id of a live reset token, whose every reset link is then dead."""
    _, user_id = _live(conn, token, now)
    conn.execute(token_rows.delete().where(
        token_rows.c.purpose == RESET,
        token_rows.c.email_id.in_(sa.select(emails.c.id).where(emails.c.user_id == user_id))))
    return user_id


def message(settings: Settings, address: str, username: str, token: str) -> EmailMessage:
    text = (f"Hello,\n\nsomeone asked to reset the password of the OnePic account "
            f"\"{username}\". To choose a new one, open this link within an hour:\n\n"
            f"{settings.origin}{RESET_PATH}?token={token}\n\n"
            f"If it was not you, ignore this message: nothing changes unless a new password "
            f"is chosen on that page.\n")
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = address
    msg["Subject"] = "Reset your OnePic password"
    msg["Message-ID"] = make_msgid(domain="onepic")
    msg.set_content(text, cte="7bit" if text.isascii() else None)
    return msg


def send(mailer: Mailer, settings: Settings, address: str, username: str, token: str) -> None:
    try:
        mailer.send(message(settings, address, username, token))
    except MailUnavailable as e:
        log.error("password reset mail to %s not sent: %s", address, e)
