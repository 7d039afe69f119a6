"""POST /v1/me/emails, GET /v1/emails/verify, PUT/DELETE /v1/me/emails/<email>: claims,
verification links, tokens, conflicts between accounts, and mail failures."""
import hashlib
import logging
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from services.metadata.emails import tokens as email_tokens
from services.metadata.emails.store import MAX_PER_ACCOUNT

ADDRESS = "arpit@example.com"
MD5 = hashlib.md5(ADDRESS.encode()).hexdigest()
SHA256 = hashlib.sha256(ADDRESS.encode()).hexdigest()


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def emails_of(client, api, token):
    return client.get("/v1/me", headers=api.auth(token)).get_json()["emails"]


def test_signup_email_is_verified_by_the_link_in_the_message(api, client, mailbox, read_model,
                                                             settings):
    user = api.signup("arpit", email="  Arpit@Example.COM ")
    [message] = mailbox.messages
    assert message["To"] == ADDRESS and "OnePic" in message["Subject"]
    [link] = mailbox.links()
    assert link.startswith(f"{settings.origin}/v1/emails/verify?token=")
    assert read_model.get("email", MD5) is None  # nothing resolves before the click
    r = api.click(link)
    assert r.status_code == 200
    assert r.get_json() == {"email": ADDRESS, "verified": True, "md5": MD5, "sha256": SHA256,
                            "photo_id": None}
    assert emails_of(client, api, user["token"])[0]["verified"] is True
    for digest in (MD5, SHA256):
        assert read_model.get("email", digest) == {"username": "arpit", "photo": None}
        lookup = api.internal("GET", f"/internal/read-model/email/{digest.upper()}")
        assert lookup.get_json() == {"username": "arpit", "photo": None}


def test_add_email_answers_201_and_sends_one_message(api, client, mailbox):
    user = api.signup("arpit")
    assert mailbox.messages == []
    r = api.add_email(user["token"], " ARPIT@example.com")
    assert r.status_code == 201
    assert r.get_json() == {"email": ADDRESS, "verified": False, "md5": MD5, "sha256": SHA256,
                            "photo_id": None}
    assert len(mailbox.links(ADDRESS)) == 1
    assert emails_of(client, api, user["token"]) == [r.get_json()]


def test_a_second_click_is_fine_and_changes_nothing(api, engine, mailbox, clock):
    user = api.signup("arpit")
    api.add_email(user["token"], ADDRESS)
    link = mailbox.links()[0]
    first = api.click(link)
    verified_at = rows(engine, "SELECT verified_at FROM emails")
    clock.advance(7 * 24 * 3600)  # even long after the link would have expired unused
    again = api.click(link)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert rows(engine, "SELECT verified_at FROM emails") == verified_at


def test_an_expired_link_is_400_and_verifies_nothing(api, client, mailbox, clock, settings,
                                                     read_model):
    user = api.signup("arpit")
    api.add_email(user["token"], ADDRESS)
    clock.advance(settings.email_token_ttl)
    r = api.click(mailbox.links()[0])
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "expired_token"
    assert emails_of(client, api, user["token"])[0]["verified"] is False
    assert read_model.get("email", MD5) is None
    # A fresh link (asking again) works.
    assert api.add_email(user["token"], ADDRESS).status_code == 200
    assert api.click(mailbox.links()[-1]).status_code == 200


def test_a_link_just_before_expiry_still_works(api, mailbox, clock, settings):
    user = api.signup("arpit")
    api.add_email(user["token"], ADDRESS)
    clock.advance(settings.email_token_ttl - 1)
    assert api.click(mailbox.links()[0]).status_code == 200


@pytest.mark.parametrize("query", ["", "?token=", "?token=nope",
                                   "?token=" + "A" * 43, "?token=" + "A" * 5000])
def test_unknown_tokens_are_400(client, query):
    r = client.get(f"/v1/emails/verify{query}")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_token"


def test_tokens_are_stored_hashed_with_purpose_and_expiry(api, engine, mailbox, settings, clock):
    api.signup("arpit", email=ADDRESS)
    [token] = mailbox.tokens()
    [(stored, purpose, expires)] = rows(engine, "SELECT token_sha256, purpose, expires_at "
                                                "FROM email_tokens")
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert purpose == "verify"
    expires = datetime.fromisoformat(expires) if isinstance(expires, str) else expires
    assert email_tokens.aware(expires) == clock.now + timedelta(seconds=settings.email_token_ttl)


def test_a_token_works_only_for_its_purpose(api, engine, mailbox):
    api.signup("arpit", email=ADDRESS)
    [token] = mailbox.tokens()
    with engine.connect() as conn:
        assert email_tokens.find(conn, token, email_tokens.VERIFY) is not None
        assert email_tokens.find(conn, token, "password_reset") is None


def test_verifying_consumes_the_other_links_of_that_address(api, mailbox, clock, settings):
    user = api.signup("arpit")
    api.add_email(user["token"], ADDRESS)
    clock.advance(settings.email_resend_interval)
    assert api.add_email(user["token"], ADDRESS).status_code == 200  # resent
    older, newer = mailbox.links(ADDRESS)
    assert older != newer
    assert api.click(newer).status_code == 200
    assert api.click(newer).status_code == 200  # the used link answers again
    r = api.click(older)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_token"


def test_a_used_link_cannot_verify_the_address_once_removed_and_added_again(api, client, mailbox,
                                                                             clock, settings):
    user = api.signup("arpit")
    old = api.verified(user["token"], ADDRESS, mailbox)
    h = api.auth(user["token"])
    assert client.delete(f"/v1/me/emails/{ADDRESS}", headers=h).status_code == 204
    clock.advance(settings.email_resend_interval)
    assert api.add_email(user["token"], ADDRESS).status_code == 201
    first_link = mailbox.links(ADDRESS)[0]
    r = api.click(first_link)
    assert r.status_code == 400 and old["verified"]
    assert emails_of(client, api, user["token"])[0]["verified"] is False


def test_an_address_verified_by_another_account_is_409(api, client, engine, mailbox):
    bob = api.signup("bob")
    api.verified(bob["token"], ADDRESS, mailbox)
    sent = len(mailbox.messages)
    alice = api.signup("alice")
    r = api.add_email(alice["token"], ADDRESS.upper())
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "email_taken"
    assert emails_of(client, api, alice["token"]) == []
    assert len(mailbox.messages) == sent
    # Sign-up with that address: 409 and no account left behind.
    r = client.post("/v1/users", json={"username": "carol", "password": "longenough",
                                       "email": ADDRESS})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "email_taken"
    assert rows(engine, "SELECT count(*) FROM users WHERE username = 'carol'") == [(0,)]


def test_verifying_removes_other_accounts_unverified_claims(api, client, mailbox, clock, settings,
                                                          read_model):
    alice, bob = api.signup("alice"), api.signup("bob")
    assert api.add_email(alice["token"], ADDRESS).status_code == 201  # alice claims it first
    clock.advance(settings.email_resend_interval)
    assert api.add_email(bob["token"], ADDRESS).status_code == 201
    alices_link, bobs_link = mailbox.links(ADDRESS)
    assert api.click(bobs_link).status_code == 200
    # Alice's earlier, unverified claim shadows nothing and is gone with its link.
    assert read_model.get("email", MD5)["username"] == "bob"
    r = api.internal("GET", f"/internal/read-model/email/{SHA256}")
    assert r.get_json()["username"] == "bob"
    assert emails_of(client, api, alice["token"]) == []
    r = api.click(alices_link)
    assert r.status_code == 400 and read_model.get("email", MD5)["username"] == "bob"


def test_an_address_already_on_the_account(api, mailbox, clock, settings):
    user = api.signup("arpit")
    assert api.add_email(user["token"], ADDRESS).status_code == 201
    # Unverified, too soon to mail it again: 429, nothing sent.
    r = api.add_email(user["token"], ADDRESS)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_requests"
    assert len(mailbox.messages) == 1
    # Later: 200 and a fresh link.
    clock.advance(settings.email_resend_interval)
    r = api.add_email(user["token"], ADDRESS)
    assert r.status_code == 200 and r.get_json()["verified"] is False
    assert len(mailbox.messages) == 2
    # Verified (the owner is told once): 200, nothing sent.
    api.click(mailbox.links()[-1])
    assert len(mailbox.notices(ADDRESS)) == 1
    clock.advance(settings.email_resend_interval)
    r = api.add_email(user["token"], ADDRESS)
    assert r.status_code == 200 and r.get_json()["verified"] is True
    assert len(mailbox.messages) == 3


def test_the_resend_throttle_is_per_claim(api, client, mailbox):
    # One account's claims do not throttle another's (tests/security: an attacker must not
    # keep the owner's own message at 429); each claim is throttled on its own.
    alice, bob = api.signup("alice"), api.signup("bob")
    assert api.add_email(alice["token"], ADDRESS).status_code == 201
    assert api.add_email(bob["token"], ADDRESS).status_code == 201
    assert api.add_email(alice["token"], ADDRESS).status_code == 429
    assert len(mailbox.messages) == 2


@pytest.mark.parametrize("body,status,code", [
    ({"email": "not-an-address"}, 422, "invalid_email"),
    ({"email": "a@b"}, 422, "invalid_email"),
    ({"email": "two words@example.com"}, 422, "invalid_email"),
    ({"email": 42}, 422, "invalid_email"),
    ({}, 422, "invalid_email"),
    (["x"], 400, "bad_json"),
])
def test_add_email_rejects_bad_input_and_leaves_nothing(api, client, engine, mailbox, body,
                                                        status, code):
    user = api.signup("arpit")
    r = client.post("/v1/me/emails", json=body, headers=api.auth(user["token"]))
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert rows(engine, "SELECT count(*) FROM emails") == [(0,)]
    assert rows(engine, "SELECT count(*) FROM email_tokens") == [(0,)]
    assert mailbox.messages == []


def test_email_routes_need_authentication(client):
    for method, path in (("POST", "/v1/me/emails"), ("PUT", f"/v1/me/emails/{ADDRESS}"),
                         ("DELETE", f"/v1/me/emails/{ADDRESS}")):
        r = client.open(path, method=method, json={"email": ADDRESS, "photo_id": None})
        assert r.status_code == 401


def test_an_account_holds_a_bounded_number_of_addresses(api, client, mailbox):
    user = api.signup("arpit")
    for i in range(MAX_PER_ACCOUNT):
        assert api.add_email(user["token"], f"a{i}@example.com").status_code == 201
    r = api.add_email(user["token"], "one-more@example.com")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "too_many_emails"
    assert len(emails_of(client, api, user["token"])) == MAX_PER_ACCOUNT


def test_mail_down_on_add_is_503_and_leaves_nothing(api, client, engine, mailbox, caplog):
    user = api.signup("arpit")
    mailbox.down = True
    with caplog.at_level(logging.ERROR):
        r = api.add_email(user["token"], ADDRESS)
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "mail_unavailable"
    assert rows(engine, "SELECT count(*) FROM emails") == [(0,)]
    assert rows(engine, "SELECT count(*) FROM email_tokens") == [(0,)]
    assert "verification mail to arpit@example.com not sent" in caplog.text
    # The server is back: trying again is a clean 201 (the failed attempt did not throttle).
    mailbox.down = False
    assert api.add_email(user["token"], ADDRESS).status_code == 201


def test_mail_down_on_resend_keeps_the_claim(api, client, engine, mailbox, clock, settings):
    user = api.signup("arpit")
    api.add_email(user["token"], ADDRESS)
    clock.advance(settings.email_resend_interval)
    mailbox.down = True
    assert api.add_email(user["token"], ADDRESS).status_code == 503
    assert [e["email"] for e in emails_of(client, api, user["token"])] == [ADDRESS]
    assert rows(engine, "SELECT count(*) FROM email_tokens") == [(1,)]  # the first link only


def test_mail_down_at_signup_still_creates_the_account_and_logs_no_token(client, api, engine,
                                                                         mailbox, caplog,
                                                                         monkeypatch):
    issued = []
    real_issue = email_tokens.issue
    monkeypatch.setattr(email_tokens, "issue",
                        lambda *a: issued.append(real_issue(*a)) or issued[-1])
    mailbox.down = True
    with caplog.at_level(logging.DEBUG):
        user = api.signup("arpit", email=ADDRESS)
    assert emails_of(client, api, user["token"])[0]["verified"] is False
    assert "not sent" in caplog.text
    [token] = issued
    assert token not in caplog.text and email_tokens.token_hash(token) not in caplog.text
    assert "token=" not in caplog.text
    assert user["token"] not in caplog.text and "correct horse" not in caplog.text


def test_mail_down_at_signup_does_not_throttle_the_resend(client, api, engine, mailbox):
    # The unsent token is taken back: asking for the message again is not "429, one was sent
    # moments ago" for a message that never left.
    mailbox.down = True
    user = api.signup("arpit", email=ADDRESS)
    assert rows(engine, "SELECT count(*) FROM email_tokens") == [(0,)]
    mailbox.down = False
    r = api.add_email(user["token"], ADDRESS)
    assert r.status_code == 200, r.get_json()
    assert len(mailbox.links(ADDRESS)) == 1


def test_put_chooses_the_photo_of_an_address(api, client, mailbox, read_model):
    user = api.signup("arpit")
    h = api.auth(user["token"])
    active = api.record(user["id"], b"active", activate=True).get_json()["id"]
    work = api.record(user["id"], b"work").get_json()["id"]
    api.verified(user["token"], ADDRESS, mailbox)
    assert read_model.get("email", MD5)["photo"]["id"] == active
    r = client.put(f"/v1/me/emails/{ADDRESS.upper()}", json={"photo_id": work}, headers=h)
    assert r.status_code == 200 and r.get_json()["photo_id"] == work
    for digest in (MD5, SHA256):
        assert read_model.get("email", digest)["photo"]["id"] == work
    assert read_model.get("user", "arpit")["photo"]["id"] == active
    assert emails_of(client, api, user["token"])[0]["photo_id"] == work
    r = client.put(f"/v1/me/emails/{ADDRESS}", json={"photo_id": None}, headers=h)
    assert r.status_code == 200 and r.get_json()["photo_id"] is None
    assert read_model.get("email", SHA256)["photo"]["id"] == active


def test_put_on_an_unverified_address_is_kept_but_resolves_nothing(api, client, read_model):
    user = api.signup("arpit", email=ADDRESS)
    pid = api.record(user["id"], b"one").get_json()["id"]
    r = client.put(f"/v1/me/emails/{ADDRESS}", json={"photo_id": pid},
                   headers=api.auth(user["token"]))
    assert r.status_code == 200 and r.get_json()["verified"] is False
    assert read_model.get("email", MD5) is None


@pytest.mark.parametrize("whose_photo,address,status,code", [
    ("bob", ADDRESS, 404, "photo_not_found"),
    ("none", ADDRESS, 404, "photo_not_found"),
    ("mine", "bob@example.com", 404, "email_not_found"),
    ("mine", "nobody@example.com", 404, "email_not_found"),
    ("mine", "not an address", 404, "email_not_found"),
])
def test_put_needs_your_photo_and_your_address(api, client, mailbox, engine, clock, settings,
                                               whose_photo, address, status, code):
    alice, bob = api.signup("alice"), api.signup("bob")
    api.verified(alice["token"], ADDRESS, mailbox)
    clock.advance(settings.email_resend_interval)
    api.verified(bob["token"], "bob@example.com", mailbox)
    photo = {"bob": api.record(bob["id"], b"bobs").get_json()["id"], "none": "nophoto1234",
             "mine": api.record(alice["id"], b"alices").get_json()["id"]}[whose_photo]
    r = client.put(f"/v1/me/emails/{address}", json={"photo_id": photo},
                   headers=api.auth(alice["token"]))
    assert r.status_code == status and r.get_json()["error"]["code"] == code
    assert rows(engine, "SELECT count(*) FROM emails WHERE photo_id IS NOT NULL") == [(0,)]


@pytest.mark.parametrize("body", [{}, {"photo_id": 5}, {"photo_id": ["x"]}])
def test_put_needs_a_photo_id_or_null(api, client, mailbox, body):
    user = api.signup("arpit", email=ADDRESS)
    r = client.put(f"/v1/me/emails/{ADDRESS}", json=body, headers=api.auth(user["token"]))
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_photo_id"


def test_delete_makes_both_hashes_negative_and_frees_the_address(api, client, mailbox, clock,
                                                                 settings, read_model, engine):
    alice, bob = api.signup("alice"), api.signup("bob")
    api.verified(alice["token"], ADDRESS, mailbox)
    r = client.delete(f"/v1/me/emails/{ADDRESS}", headers=api.auth(alice["token"]))
    assert r.status_code == 204
    assert read_model.get("email", MD5) == {"missing": True}
    assert read_model.get("email", SHA256) == {"missing": True}
    assert emails_of(client, api, alice["token"]) == []
    assert rows(engine, "SELECT count(*) FROM email_tokens") == [(0,)]
    assert client.delete(f"/v1/me/emails/{ADDRESS}",
                         headers=api.auth(alice["token"])).status_code == 404
    # Another account may now have it.
    clock.advance(settings.email_resend_interval)
    api.verified(bob["token"], ADDRESS, mailbox)
    assert read_model.get("email", MD5)["username"] == "bob"


def test_delete_of_someone_elses_address_is_404_and_keeps_it(api, client, mailbox, read_model):
    alice, bob = api.signup("alice"), api.signup("bob")
    api.verified(alice["token"], ADDRESS, mailbox)
    r = client.delete(f"/v1/me/emails/{ADDRESS}", headers=api.auth(bob["token"]))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "email_not_found"
    assert read_model.get("email", MD5)["username"] == "alice"
