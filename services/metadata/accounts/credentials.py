"""Username and password in, a new API token out, for the web page's POST /v1/session.

The same checks as POST /v1/tokens (accounts/routes.py), which is to call this too once
the token-lifecycle work there has landed (kept apart meanwhile to spare that rebase)."""
from __future__ import annotations

from shared.errors import ApiError

from .. import db, validation
from ..context import get_db
from . import store as accounts


def sign_in(body: dict) -> tuple[dict, str]:
    """(user, fresh token) for the credentials in `body`, or 401/422."""
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
    return user, token
