"""Finding 1: opening /v1/emails/verify?token=… verified the address for whichever account
claimed it, so a corporate link scanner handed Jane's address to an attacker who claimed it.
Now GET only shows the claim; the signed-in claimant confirms with POST; the owner can say
"Not me", which bars that account; the owner is told when the address is added or removed."""
from tests.metadata_api import token_of

JANE = "jane@corp.example"


def claimed_by_mallory(api, mailbox):
    mallory = api.signup("mallory")
    assert api.add_email(mallory["token"], JANE).status_code == 201
    return mallory, mailbox.links(JANE)[-1]


def test_opening_the_link_shows_the_claim_and_changes_nothing(api, client, mailbox, read_model):
    mallory, link = claimed_by_mallory(api, mailbox)
    for _ in range(3):   # a scanner, a preview, the person
        r = api.open_link(link)
        assert r.status_code == 200
        assert set(r.get_json()) == {"email", "username", "expires_at"}
        assert r.get_json()["email"] == JANE and r.get_json()["username"] == "mallory"
        assert r.headers["Cache-Control"] == "no-store"
    me = client.get("/v1/me", headers=api.auth(mallory["token"])).get_json()
    assert me["emails"][0]["verified"] is False
    md5 = me["emails"][0]["md5"]
    assert read_model.get("email", md5) in (None, {"missing": True})


def test_confirming_needs_the_claimants_sign_in(api, client, mailbox):
    mallory, link = claimed_by_mallory(api, mailbox)
    body = {"token": token_of(link)}
    assert client.post("/v1/emails/verify", json=body).status_code == 401
    other = api.signup("bystander")
    r = client.post("/v1/emails/verify", json=body, headers=api.auth(other["token"]))
    assert r.status_code == 404
    r = client.post("/v1/emails/verify", json=body, headers=api.auth(mallory["token"]))
    assert r.status_code == 200 and r.get_json()["verified"] is True


def test_not_me_removes_the_claim_and_bars_the_account(api, client, mailbox):
    mallory, link = claimed_by_mallory(api, mailbox)
    r = client.post("/v1/emails/reject", json={"token": token_of(link)})
    assert r.status_code == 200
    me = client.get("/v1/me", headers=api.auth(mallory["token"])).get_json()
    assert me["emails"] == []
    # The link is dead, and mallory cannot claim (and so mail) Jane again.
    assert api.open_link(link).status_code == 400
    r = api.add_email(mallory["token"], JANE)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "email_refused"
    assert len(mailbox.links(JANE)) == 1
    # Jane herself can still claim it.
    jane = api.signup("jane")
    assert api.add_email(jane["token"], JANE).status_code == 201


def test_the_owner_is_told_when_the_address_is_added_and_removed(api, client, mailbox):
    jane = api.signup("jane")
    api.verified(jane["token"], JANE, mailbox)
    (added,) = mailbox.notices(JANE)
    assert "jane" in added.get_body(("plain",)).get_content()
    assert "http" not in added.get_body(("plain",)).get_content()   # nothing to click
    assert client.delete(f"/v1/me/emails/{JANE}", headers=api.auth(jane["token"])).status_code == 204
    assert len(mailbox.notices(JANE)) == 2
    assert "removed" in mailbox.notices(JANE)[-1]["Subject"]


def test_an_attacker_cannot_keep_the_owners_message_at_429(api, client, clock, settings):
    mallory = api.signup("mallory")
    jane = api.signup("jane")

    def claim(user, addr):
        return client.post("/v1/me/emails", json={"email": JANE}, headers=api.auth(user["token"]),
                           environ_base={"REMOTE_ADDR": addr})

    for _ in range(3):   # mallory re-claims Jane's address as often as the throttle allows
        claim(mallory, "203.0.113.66")
        r = claim(jane, "198.51.100.10")
        assert r.status_code in (200, 201), r.get_json()
        clock.advance(settings.email_resend_interval)
