"""The public account API as in API.md: sign-up, tokens, /v1/me (photos are in
photos/routes.py, email addresses in emails/routes.py)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from shared.errors import ApiError
from shared.session import check_login_csrf

from .. import db, validation
from ..context import current_user, get_db, state
from ..emails import store as emails
from ..emails import tokens as email_tokens
from ..emails import verification
from . import passwords
from . import store as accounts
from .session_routes import respond_signed_in

bp = Blueprint("metadata_accounts", __name__, url_prefix="/v1")


@bp.post("/users")
def create_user():
    body = validation.json_body()
    signs_in = body.get("session") is True  # the web page: the token goes into a cookie
    if signs_in:
        check_login_csrf(request)
    username = validation.username(body.get("username"))
    password = validation.password(body.get("password"))
    email = validation.email(body["email"]) if body.get("email") is not None else None
    password_hash = passwords.hash_password(password)
    conn, st = get_db(), state()
    pending = None
    with db.write(conn):
        user = accounts.create_user(conn, username, password_hash)
        if email is not None:
            now = st.clock()
            claim, _ = emails.claim(conn, user["id"], email, now)  # 409 if verified elsewhere
            # A throttled address (someone mailed it moments ago) still gets its account; the
            # owner asks for the message again with POST /v1/me/emails.
            if not verification.throttled(conn, email, now, st.settings):
                pending = verification.issue(conn, claim, username, now, st.settings)
        st.writer.refresh_user(conn, username)
    # After the commit. A failure is logged and the sign-up still succeeds: the account
    # exists either way, and POST /v1/me/emails sends the message again. The unsent token is
    # taken back, else it would count as "a message moments ago" and that POST would be 429.
    if pending is not None and not verification.send(st.mailer, st.settings, pending):
        with db.write(conn):
            email_tokens.discard(conn, pending.token)
    created = {"id": user["id"], "username": username,
               "avatar_url": f"{state().settings.origin}/{username}"}
    if signs_in:
        return respond_signed_in(created, user["token"])
    return jsonify({**created, "token": user["token"]}), 201


@bp.post("/tokens")
def create_token():
    body = validation.json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(422, "invalid_credentials_format",
                       "username and password are required strings.")
    conn = get_db()
    # No password longer than sign-up accepts can be right, and hashing one is the costly
    # work MAX_PASSWORD bounds: refuse it as wrong credentials without hashing.
    too_long = len(password) > validation.MAX_PASSWORD
    user = None if too_long else accounts.check_credentials(conn, username.strip().lower(),
                                                            password)
    if user is None:
        raise ApiError(401, "invalid_credentials", "Wrong username or password.")
    with db.write(conn):
        token = accounts.issue_token(conn, user["id"])
    return jsonify({"token": token}), 201


@bp.get("/me")
def me():
    user = current_user()
    return jsonify({"id": user["id"], "username": user["username"],
                    "emails": emails.list_for(get_db(), user["id"]),
                    "active_photo_id": user["active_photo_id"],
                    "avatar_url": f"{state().settings.origin}/{user['username']}"})
