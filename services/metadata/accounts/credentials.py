"""Username and password in, a new API token out: the one sign-in of POST /v1/tokens and
the web page's POST /v1/session.

Rate-limited per username (guessing one account's password from many addresses) and per
client address (guessing many accounts from one), both before the KDF: each try costs
64 MiB. A successful sign-in also upgrades a hash made with weaker parameters."""
from __future__ import annotations

from shared.errors import ApiError
from shared.web import rate_limit

from .. import db, validation
from ..context import client, get_db, state
from . import store as accounts


def sign_in(body: dict) -> tuple[dict, dict]:
    """(user, fresh token {"id", "token", "expires_at"}) for the credentials in `body`, or
    401/422/429."""
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ApiError(422, "invalid_credentials_format",
                       "username and password are required strings.")
    conn, st = get_db(), state()
    name = username.strip().lower()
    rate_limit(st.limiter, ("tokens_user", name[:64]), ("tokens_addr", client()))
    # No password longer than sign-up accepts can be right, and hashing one is the costly
    # work MAX_PASSWORD bounds: refuse it as wrong credentials without hashing.
    too_long = len(password) > validation.MAX_PASSWORD
    with db.write(conn):   # a successful sign-in may also upgrade the stored hash
        user = None if too_long else accounts.check_credentials(conn, name, password)
        if user is None:
            raise ApiError(401, "invalid_credentials", "Wrong username or password.")
        token = accounts.issue_token(conn, user["id"], st.clock(), st.settings.token_ttl)
    return user, token
