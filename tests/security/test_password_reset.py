"""Finding 5: there was no password reset. By mail, with the same rule as verification:
opening the link changes nothing; a POST with the new password resets, revoking every token."""
import re
from urllib.parse import parse_qs, urlsplit

ADDRESS = "arpit@example.com"


def reset_links(mailbox):
    out = []
    for m in mailbox.messages:
        if m["Subject"] == "Reset your OnePic password":
            out += re.findall(r"https?://\S+", m.get_body(("plain",)).get_content())
    return out


def token_of(url):
    return parse_qs(urlsplit(url).query)["token"][0]


def test_reset_by_mail(api, client, mailbox):
    user = api.signup("arpit")
    api.verified(user["token"], ADDRESS, mailbox)
    r = client.post("/v1/password-resets", json={"username": "arpit"})
    assert r.status_code == 202
    (link,) = reset_links(mailbox)
    token = token_of(link)
    for _ in range(2):   # a scanner opens it: nothing changes
        shown = client.get(f"/v1/password-resets?token={token}")
        assert shown.status_code == 200 and shown.get_json()["username"] == "arpit"
        assert shown.headers["Cache-Control"] == "no-store"
    assert client.get("/v1/me", headers=api.auth(user["token"])).status_code == 200
    r = client.post("/v1/password-resets/confirm",
                    json={"token": token, "new_password": "a brand new one"})
    assert r.status_code == 204
    assert client.get("/v1/me", headers=api.auth(user["token"])).status_code == 401
    assert client.post("/v1/tokens", json={"username": "arpit",
                                           "password": "a brand new one"}).status_code == 201
    # Used once.
    r = client.post("/v1/password-resets/confirm", json={"token": token, "new_password": "x" * 9})
    assert r.status_code == 400


def test_the_answer_does_not_say_whether_the_account_exists(api, client, mailbox):
    api.signup("noaddress")
    for name in ("noaddress", "nobody-at-all"):
        r = client.post("/v1/password-resets", json={"username": name})
        assert r.status_code == 202
    assert reset_links(mailbox) == []


def test_an_expired_reset_link_is_400(api, client, mailbox, clock):
    user = api.signup("arpit")
    api.verified(user["token"], ADDRESS, mailbox)
    client.post("/v1/password-resets", json={"username": "arpit"})
    token = token_of(reset_links(mailbox)[0])
    clock.advance(3601)
    assert client.get(f"/v1/password-resets?token={token}").status_code == 400
    r = client.post("/v1/password-resets/confirm", json={"token": token, "new_password": "x" * 9})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "expired_token"


def test_a_verification_token_is_no_reset_token(api, client, mailbox):
    api.signup("arpit")
    user_token = api.tokens["arpit"]
    api.add_email(user_token, ADDRESS)
    token = token_of(mailbox.links(ADDRESS)[0])
    r = client.post("/v1/password-resets/confirm", json={"token": token, "new_password": "x" * 9})
    assert r.status_code == 400
