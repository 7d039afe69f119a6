"""Issue 10 over HTTP, in both modes: a link scanner opening the verification link changes
nothing; only the signed-in claimant confirms; "Not me" bars the claimant; the public port
of metadata has no /internal at all (services mode)."""
from __future__ import annotations

import hashlib
import uuid

import pytest
import requests

from .mail import verification_token
from .test_gravatar_clients import claim_email


def avatar_status(base_url: str, address: str) -> int:
    digest = hashlib.md5(address.encode()).hexdigest()
    return requests.get(f"{base_url}/avatar/{digest}?d=404", timeout=30).status_code


def test_a_link_scanner_cannot_verify_and_a_stranger_cannot_confirm(system, user, other_user,
                                                                    anonymous):
    address = f"jane.{uuid.uuid4().hex[:8]}@corp.example"
    claim_email(user, address)
    token = verification_token(system, address)
    for _ in range(3):
        shown = anonymous.get("/v1/emails/verify", params={"token": token})
        assert shown.status_code == 200 and shown.json()["username"] == user.username
    assert user.get("/v1/me").json()["emails"][0]["verified"] is False
    assert avatar_status(system.base_url, address) == 404
    body = {"token": token}
    assert anonymous.request("POST", "/v1/emails/verify", json=body).status_code == 401
    assert other_user.request("POST", "/v1/emails/verify", json=body).status_code == 404
    assert user.request("POST", "/v1/emails/verify", json=body).status_code == 200
    assert user.get("/v1/me").json()["emails"][0]["verified"] is True


def test_not_me_bars_the_claimant(system, user, anonymous):
    address = f"jane.{uuid.uuid4().hex[:8]}@corp.example"
    claim_email(user, address)
    token = verification_token(system, address)
    assert anonymous.request("POST", "/v1/emails/reject", json={"token": token}).status_code == 200
    assert user.get("/v1/me").json()["emails"] == []
    r = user.request("POST", "/v1/me/emails", json={"email": address})
    assert r.status_code == 403 and r.json()["error"]["code"] == "email_refused"


# Standalone has no metadata port (its origin never routes /internal): services only.
@pytest.mark.parametrize("system", ["services"], indirect=True)
def test_the_public_metadata_port_has_no_internal_api(system):
    public = f"http://127.0.0.1:{system.env['METADATA_PORT']}"
    r = requests.get(f"{public}/internal/ping", headers={"X-Internal-Token": "guess"}, timeout=30)
    assert r.status_code == 404   # not 403: there is no such route to guess a token for
    internal = f"http://127.0.0.1:{system.env['INTERNAL_PORT']}"
    r = requests.get(f"{internal}/internal/ping", headers={"X-Internal-Token": "guess"},
                     timeout=30)
    assert r.status_code == 403
