"""The public account API as in API.md: sign-up, tokens, /v1/me (photos are in
photos/routes.py, email addresses in emails/routes.py)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from shared.errors import ApiError
from shared.session import check_login_csrf
from shared.web import rate_limit

from .. import db, ids, validation
from ..context import client, current_user, get_db, state
from ..emails import store as emails
from ..emails import tokens as email_tokens
from ..emails import verification
from . import credentials, passwords, reset
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
    conn, st = get_db(), state()
    # Before the KDF: a refused sign-up costs no 64 MiB hash.
    hits = [("signup", client())]
    if email is not None:
        hits.append(("email_claims", "addr:" + client()))
    rate_limit(st.limiter, *hits)
    password_hash = passwords.hash_password(password)
    pending = None
    with db.write(conn):
        user = accounts.create_user(conn, username, password_hash, st.clock(),
                                    st.settings.token_ttl)
        if email is not None:
            now = st.clock()
            claim, _ = emails.claim(conn, user["id"], email, now)  # 409 if verified elsewhere
            # A new account's claim is new: the resend throttle (per claim) cannot apply.
            pending = verification.issue(conn, claim, username, now, st.settings)
    # After the commit. A failure is logged and the sign-up still succeeds: the account
    # exists either way, and POST /v1/me/emails sends the message again. The unsent token is
    # taken back, else it would count as "a message moments ago" and that POST would be 429.
    if pending is not None and not verification.send(st.mailer, st.settings, pending):
        with db.write(conn):
            email_tokens.discard(conn, pending.token)
    created = {"id": user["id"], "username": username,
               "avatar_url": f"{state().settings.origin}/{username}"}
    if signs_in:
        return no_store(respond_signed_in(created, user["token"]["token"]))
    return no_store(jsonify({**created, "token": user["token"]["token"]})), 201


@bp.post("/tokens")
def create_token():
    _, token = credentials.sign_in(validation.json_body())
    return no_store(jsonify({"id": token["id"], "token": token["token"],
                             "expires_at": ids.iso(token["expires_at"])})), 201


@bp.get("/tokens")
def list_tokens():
    user = current_user()
    rows = accounts.list_tokens(get_db(), user["id"], state().clock())
    return jsonify({"tokens": [
        {"id": r["id"], "created_at": ids.iso(r["created_at"]),
         "last_used_at": ids.iso(r["last_used_at"]) if r["last_used_at"] else None,
         "expires_at": ids.iso(r["expires_at"]), "current": r["id"] == user["token_id"]}
        for r in rows]})


@bp.delete("/tokens/<token_id>")
def revoke_token(token_id: str):
    user = current_user()
    conn = get_db()
    with db.write(conn):
        if not accounts.revoke_token(conn, user["id"], token_id):
            raise ApiError(404, "token_not_found", "You have no token with that id.")
    return "", 204


@bp.put("/me/password")
def change_password():
    user = current_user()
    body = validation.json_body()
    current = body.get("password")
    new = validation.password(body.get("new_password"))
    conn, st = get_db(), state()
    rate_limit(st.limiter, ("tokens_user", user["username"]), ("tokens_addr", client()))
    if not isinstance(current, str) or len(current) > validation.MAX_PASSWORD or \
            not passwords.verify_password(accounts.password_hash(conn, user["id"]), current):
        raise ApiError(403, "wrong_password", "The current password is wrong.")
    new_hash = passwords.hash_password(new)
    with db.write(conn):
        accounts.set_password_hash(conn, user["id"], new_hash)
        # Whoever else holds a token (a stolen one, an old device) is signed out.
        accounts.revoke_other_tokens(conn, user["id"], user["token_id"], st.clock())
    return "", 204


@bp.post("/password-resets")
def request_reset():
    body = validation.json_body()
    name = body.get("username")
    if not isinstance(name, str):
        raise ApiError(422, "invalid_username", "username is required and must be a string.")
    name = name.strip().lower()
    conn, st = get_db(), state()
    rate_limit(st.limiter, ("tokens_user", name[:64]), ("tokens_addr", client()))
    with db.write(conn):
        sent = reset.issue(conn, name, st.clock())
    for address, token in sent:
        reset.send(st.mailer, st.settings, address, name, token)
    # The same answer whether or not the account exists or has an address to mail.
    return jsonify({"status": "sent if the account has a verified address"}), 202


@bp.get("/password-resets")
def show_reset():
    conn, st = get_db(), state()
    resp = jsonify(reset.show(conn, request.args.get("token", ""), st.clock()))
    resp.headers["Referrer-Policy"] = "no-referrer"
    return no_store(resp)


@bp.post("/password-resets/confirm")
def confirm_reset():
    body = validation.json_body()
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise ApiError(422, "invalid_token", "token is required: the one in the link.")
    new = validation.password(body.get("new_password"))
    conn, st = get_db(), state()
    new_hash = passwords.hash_password(new)
    with db.write(conn):
        user_id = reset.redeem(conn, token, st.clock())
        accounts.set_password_hash(conn, user_id, new_hash)
        accounts.revoke_other_tokens(conn, user_id, None, st.clock())
    return "", 204


def no_store(resp):
    """Answers carrying a token must not be kept by any cache (RFC 9111 §5.2.2.5)."""
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/me")
def me():
    user = current_user()
    return jsonify({"id": user["id"], "username": user["username"],
                    "emails": emails.list_for(get_db(), user["id"]),
                    "active_photo_id": user["active_photo_id"],
                    "avatar_url": f"{state().settings.origin}/{user['username']}"})
