"""The web page's session (shared/session.py, accounts/session_routes.py): an API token in
an HttpOnly cookie, accepted wherever a Bearer token is, with CSRF checks on every
state-changing request and on the sign-in that creates it."""
import pytest

from shared import session

PASSWORD = "correct horse"


def page_csrf(client) -> str:
    """Open the page as a browser does: it hands out the pre-session CSRF cookie."""
    r = client.get("/")
    assert r.status_code == 200
    return client.get_cookie(session.CSRF_COOKIE).value


def sign_in(client, username, password=PASSWORD):
    return client.post("/v1/session", json={"username": username, "password": password},
                       headers={session.CSRF_HEADER: page_csrf(client)})


def signed_in(client, api, username="alice"):
    api.signup(username)
    r = sign_in(client, username)
    assert r.status_code == 201, r.get_json()
    return client.get_cookie(session.CSRF_COOKIE).value


def test_sign_in_sets_an_httponly_lax_secure_cookie_and_hides_the_token(client, api):
    api.signup("alice")
    r = sign_in(client, "alice")
    assert r.status_code == 201 and r.get_json() == {"username": "alice"}
    cookies = {c.split("=", 1)[0]: c for c in r.headers.getlist("Set-Cookie")}
    assert "HttpOnly" in cookies[session.SESSION_COOKIE]
    assert "HttpOnly" not in cookies[session.CSRF_COOKIE]  # the page reads it
    for c in cookies.values():
        assert "SameSite=Lax" in c and "Path=/" in c
        assert "Secure" in c  # the test origin is https
    assert client.get("/v1/me").get_json()["username"] == "alice"


def test_no_secure_flag_over_plain_http(engine, cache, mailbox, clock, settings):
    from dataclasses import replace

    from services.metadata.app import create_app

    app = create_app(replace(settings, public_url="http://127.0.0.1:8080"), cache=cache,
                     mailer=mailbox, clock=clock)
    client = app.test_client()
    client.get("/")
    cookie = client.get_cookie(session.CSRF_COOKIE)
    assert cookie is not None and not cookie.secure


@pytest.mark.parametrize("header", [None, "", "wrong"])
def test_sign_in_without_the_page_csrf_is_refused(client, api, header):
    api.signup("alice")
    page_csrf(client)
    headers = {} if header is None else {session.CSRF_HEADER: header}
    r = client.post("/v1/session", json={"username": "alice", "password": PASSWORD},
                    headers=headers)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "csrf_failed"
    assert client.get_cookie(session.SESSION_COOKIE) is None


def test_wrong_password_is_401_and_sets_no_session(client, api):
    api.signup("alice")
    r = sign_in(client, "alice", "not the password")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_credentials"
    assert client.get_cookie(session.SESSION_COOKIE) is None


def test_a_state_change_needs_the_session_csrf_header(client, api):
    csrf = signed_in(client, api)
    body = {"photo_id": None}
    refused = client.put("/v1/me/active-photo", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf_failed"
    # The pre-session value (what a page opened before the sign-in holds) is not enough.
    assert client.put("/v1/me/active-photo", json=body,
                      headers={session.CSRF_HEADER: "x" + csrf}).status_code == 403
    ok = client.put("/v1/me/active-photo", json=body, headers={session.CSRF_HEADER: csrf})
    assert ok.status_code == 200, ok.get_json()


def test_reads_need_no_csrf_header(client, api):
    signed_in(client, api)
    assert client.get("/v1/me").status_code == 200
    assert client.get("/v1/photos").status_code == 200


def test_a_bearer_token_needs_no_csrf_header(client, api):
    token = api.signup("alice")["token"]
    r = client.put("/v1/me/active-photo", json={"photo_id": None}, headers=api.auth(token))
    assert r.status_code == 200


def test_the_csrf_token_is_bound_to_its_session(client, api):
    api.signup("alice")
    api.signup("bob")
    assert sign_in(client, "alice").status_code == 201
    alice_csrf = client.get_cookie(session.CSRF_COOKIE).value
    other = client.application.test_client()
    assert sign_in(other, "bob").status_code == 201
    r = other.put("/v1/me/active-photo", json={"photo_id": None},
                  headers={session.CSRF_HEADER: alice_csrf})
    assert r.status_code == 403


def test_sign_out_revokes_the_token_and_clears_the_cookie(client, api):
    csrf = signed_in(client, api)
    token = client.get_cookie(session.SESSION_COOKIE).value
    assert client.delete("/v1/session").status_code == 403  # CSRF applies to sign-out too
    r = client.delete("/v1/session", headers={session.CSRF_HEADER: csrf})
    assert r.status_code == 204
    assert client.get_cookie(session.SESSION_COOKIE) is None
    assert client.get("/v1/me").status_code == 401
    # The token itself is gone, not just the cookie: it fails as a Bearer token too.
    assert client.get("/v1/me", headers=api.auth(token)).status_code == 401


def test_sign_out_without_a_session_is_401(client):
    page_csrf(client)
    assert client.delete("/v1/session").status_code == 401


def test_sign_up_with_session_signs_in_without_showing_the_token(client):
    csrf = page_csrf(client)
    r = client.post("/v1/users", json={"username": "carol", "password": PASSWORD,
                                       "session": True}, headers={session.CSRF_HEADER: csrf})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert "token" not in body and body["username"] == "carol"
    assert client.get("/v1/me").get_json()["username"] == "carol"


def test_sign_up_with_session_needs_the_page_csrf(client):
    page_csrf(client)
    r = client.post("/v1/users", json={"username": "carol", "password": PASSWORD,
                                       "session": True})
    assert r.status_code == 403
    # Nothing was created: the name is still free.
    assert client.post("/v1/users", json={"username": "carol",
                                          "password": PASSWORD}).status_code == 201


def test_the_session_is_an_api_token_of_the_account(client, api):
    """Same table as every token: the internal auth (uploads) knows it."""
    signed_in(client, api)
    token = client.get_cookie(session.SESSION_COOKIE).value
    r = api.internal("POST", "/internal/auth", json={"token": token})
    assert r.status_code == 200 and r.get_json()["username"] == "alice"
