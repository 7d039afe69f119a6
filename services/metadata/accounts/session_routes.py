"""The web page's sign-in and sign-out (shared/session.py): an API token issued like any
other, carried in an HttpOnly cookie instead of being shown to the page's script.

POST /v1/session {"username", "password"} → 201, sets the cookies; DELETE /v1/session → 204,
revokes the session's token and clears them. POST /v1/users with "session": true signs the
new account in the same way (accounts/routes.py calls `respond_signed_in`)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from shared import session

from .. import db, ids, validation
from ..context import current_user, get_db, state
from ..db.schema import api_tokens
from . import credentials

bp = Blueprint("metadata_session", __name__, url_prefix="/v1")


def respond_signed_in(body: dict, token: str, status: int = 201) -> Response:
    """`body` as JSON with the session cookies set for `token`; the token itself is not in
    the body, so the page's script never holds it."""
    resp = jsonify(body)
    resp.status_code = status
    session.set_session(resp, token, state().settings.origin)
    return resp


@bp.post("/session")
def sign_in():
    session.check_login_csrf(request)
    user, token = credentials.sign_in(validation.json_body())
    resp = respond_signed_in({"username": user["username"]}, token["token"])
    resp.headers["Cache-Control"] = "no-store"   # it sets the session cookie
    return resp


@bp.delete("/session")
def sign_out():
    current_user()  # 401 without a session; 403 without its CSRF header
    token = request.cookies.get(session.SESSION_COOKIE) or ""
    conn = get_db()
    with db.write(conn):
        conn.execute(api_tokens.delete().where(api_tokens.c.token_sha256 == ids.token_hash(token)))
    resp = Response(status=204)
    session.clear_session(resp, state().settings.origin)
    return resp
