"""The email-address routes of /v1 (API.md, "Accounts"): add and verify an address, choose
the picture shown for it, remove it.

POST /v1/me/emails answers 201 with the new (unverified) address after sending its
verification message; an address already on the account answers 200: unverified, the
message is sent again (a fresh link; earlier ones keep working until they expire); verified,
nothing is sent. One address gets at most one message per EMAIL_RESEND_INTERVAL (429).
If the message cannot be sent the answer is 503 and the request leaves nothing behind (the
new address and the unsent token are taken back), so trying again later starts clean: a 201
promises that a message is on its way.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from services.web import pages as web_pages
from shared.errors import ApiError

from .. import db, validation
from ..context import current_user, get_db, state
from . import store as emails
from . import tokens as email_tokens
from . import verification

bp = Blueprint("metadata_emails", __name__, url_prefix="/v1")


@bp.post("/me/emails")
def add_email():
    user = current_user()
    address = validation.email(validation.json_body().get("email"))
    conn, st = get_db(), state()
    now = st.clock()
    pending = None
    with db.write(conn):
        claim, created = emails.claim(conn, user["id"], address, now)
        if claim["verified_at"] is None:
            pending = verification.issue_or_429(conn, claim, user["username"], now, st.settings)
    if pending is not None and not verification.send(st.mailer, st.settings, pending):
        with db.write(conn):
            email_tokens.discard(conn, pending.token)
            if created:
                emails.discard_unverified(conn, claim["id"])
        raise ApiError(503, "mail_unavailable",
                       "The verification message could not be sent; please try again later.")
    return jsonify(emails.email_json(claim)), (201 if created else 200)


@bp.get("/emails/verify")
def verify_email():
    if web_pages.wants_html(request):
        # A person opened the link: the page asks them to Confirm or say Not me.
        return web_pages.shell(state().settings)
    conn, st = get_db(), state()
    with db.write(conn):
        row, _ = emails.verify(conn, request.args.get("token", ""), st.clock())
        # On a repeated click too: it costs two cache writes and heals an entry that was lost.
        st.writer.refresh_address(conn, row["md5"], row["sha256"])
    return jsonify(emails.email_json(row))


@bp.put("/me/emails/<path:email>")
def set_email_photo(email: str):
    user = current_user()
    body = validation.json_body()
    photo_id = body.get("photo_id", ...)
    if not (photo_id is None or isinstance(photo_id, str)):
        raise ApiError(422, "invalid_photo_id", "photo_id must be a photo id or null.")
    conn = get_db()
    with db.write(conn):
        row = emails.set_photo(conn, user["id"], email, photo_id)
        if row["verified_at"] is not None:
            state().writer.refresh_address(conn, row["md5"], row["sha256"])
    return jsonify(emails.email_json(row))


@bp.delete("/me/emails/<path:email>")
def delete_email(email: str):
    user = current_user()
    conn = get_db()
    with db.write(conn):
        row = emails.remove(conn, user["id"], email)
        if row["verified_at"] is not None:
            # Now nobody has it verified: both hashes become negative entries.
            state().writer.refresh_address(conn, row["md5"], row["sha256"])
    return "", 204
