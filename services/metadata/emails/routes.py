"""The email-address routes of /v1 (API.md, "Accounts"): add and verify an address, choose
the picture shown for it, remove it.

Verifying takes two things: the link (proof of the mailbox) and the claimant's sign-in
(proof of the account). GET on the link only shows the claim; POST /v1/emails/verify by the
signed-in claimant confirms it; POST /v1/emails/reject ("Not me") removes it and bars that
account from the address. The owner is told by mail when the address is confirmed for an
account or removed from it.

POST /v1/me/emails answers 201 with the new (unverified) address after sending its
verification message; an address already on the account answers 200: unverified, the
message is sent again (a fresh link; earlier ones keep working until they expire); verified,
nothing is sent. One claim gets at most one message per EMAIL_RESEND_INTERVAL (429).
If the message cannot be sent the answer is 503 and the request leaves nothing behind (the
new address and the unsent token are taken back), so trying again later starts clean: a 201
promises that a message is on its way.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from services.web import pages as web_pages
from shared.errors import ApiError
from shared.web import rate_limit

from .. import db, validation
from ..context import client, current_user, get_db, state
from . import store as emails
from . import tokens as email_tokens
from . import verification

bp = Blueprint("metadata_emails", __name__, url_prefix="/v1")


@bp.post("/me/emails")
def add_email():
    user = current_user()
    address = validation.email(validation.json_body().get("email"))
    conn, st = get_db(), state()
    # Each claim sends a message: counted per account, removed addresses included, so the
    # 20-address cap cannot be walked around by removing and adding again.
    rate_limit(st.limiter, ("email_claims", user["id"]), ("email_claims", "addr:" + client()))
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
def show_claim():
    """The link in the message: shows whose claim it is and changes nothing, because mail
    scanners and link previews open every link (issue 10, finding 1). A person's browser
    gets the web page, which shows this claim and offers Confirm and Not me."""
    if web_pages.wants_html(request):
        resp = web_pages.shell(state().settings)
    else:
        conn, st = get_db(), state()
        resp = jsonify(emails.show(conn, request.args.get("token", ""), st.clock()))
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"   # the token is in this URL
    return resp


def _token_from_body() -> str:
    token = validation.json_body().get("token")
    if not isinstance(token, str) or not token:
        raise ApiError(422, "invalid_token", "token is required: the one in the link.")
    return token


@bp.post("/emails/verify")
def verify_email():
    """Confirm: only the claiming account, signed in (401 / 404 otherwise)."""
    user = current_user()
    token = _token_from_body()
    conn, st = get_db(), state()
    with db.write(conn):
        row, newly = emails.verify(conn, token, st.clock(), user["id"])
    if newly:
        verification.send_notice(st.mailer, st.settings, row["email"], user["username"], True)
    return jsonify(emails.email_json(row))


@bp.post("/emails/reject")
def reject_email():
    """Not me: no sign-in; the claim goes and that account may not claim the address again."""
    token = _token_from_body()
    conn, st = get_db(), state()
    with db.write(conn):
        row = emails.reject(conn, token, st.clock())
    return jsonify({"email": row["email"], "rejected": True})


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
    return jsonify(emails.email_json(row))


@bp.delete("/me/emails/<path:email>")
def delete_email(email: str):
    user = current_user()
    conn = get_db()
    with db.write(conn):
        row = emails.remove(conn, user["id"], email)
    if row["verified_at"] is not None:
        st = state()
        verification.send_notice(st.mailer, st.settings, row["email"], user["username"], False)
    return "", 204
