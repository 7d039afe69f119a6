"""Verified emails on PostgreSQL + Redis, with the verification message going through a real
SMTP server: sign up → message → click → both hashes resolve; conflicts between accounts
(also racing); expiry; single use; per-address photo; removal; and a miss that render
answers from Redis alone."""
import dataclasses
import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from werkzeug.test import Client

from services.metadata.app import INTERNAL, create_app
from services.render.app import create_app as render_app
from shared.blobstore.file import FileBlobStore
from shared.internal import MetadataClient, MetadataUnavailable

pytestmark = pytest.mark.integration


def hashes(address):
    data = address.encode()
    return hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()


def test_signup_message_click_and_both_hashes_resolve(api, client, smtp, names, read_model):
    name = names("arpit")
    address = f"{name}@example.com"
    user = api.signup(name, email=f"  {address.upper()} ")
    [message] = smtp.received
    assert message["To"] == address and message["From"]
    [link] = smtp.links(address)
    assert link.startswith("https://onepic.test/v1/emails/verify?token=")
    md5, sha256 = hashes(address)
    assert api.internal("GET", f"/internal/read-model/email/{md5}").get_json() == {"missing": True}

    r = api.click(link)
    assert r.status_code == 200 and r.get_json()["verified"] is True
    me = client.get("/v1/me", headers=api.auth(user["token"])).get_json()
    assert me["emails"] == [{"email": address, "verified": True, "md5": md5, "sha256": sha256,
                             "photo_id": None}]
    expected = {"username": name, "photo": None}
    for digest in (md5, sha256):
        assert read_model.get("email", digest) == expected  # the negative entry is overwritten
        assert api.internal("GET", f"/internal/read-model/email/{digest}").get_json() == expected
    # A second click is fine.
    assert api.click(link).get_json() == r.get_json()


def test_an_address_verified_elsewhere_is_409(api, smtp, names):
    address = f"{names('taken')}@example.com"
    bob = api.signup(names("bob"))
    assert api.add_email(bob["token"], address).status_code == 201
    assert api.click(smtp.links(address)[0]).status_code == 200
    alice = api.signup(names("alice"))
    r = api.add_email(alice["token"], address)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "email_taken"
    assert len(smtp.links()) == 1   # (and one notice to the owner: the address was added)


def test_an_expired_link_is_400(api, client, smtp, names, clock, settings):
    user = api.signup(names("late"), email=f"{names('late')}@example.com")
    clock.advance(settings.email_token_ttl + 1)
    r = api.click(smtp.links()[0])
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "expired_token"
    me = client.get("/v1/me", headers=api.auth(user["token"])).get_json()
    assert me["emails"][0]["verified"] is False


def test_links_are_single_use_and_consumed_by_verification(api, smtp, names, clock, settings,
                                                          pg_engine):
    address = f"{names('twice')}@example.com"
    user = api.signup(names("twice"), email=address)
    clock.advance(settings.email_resend_interval)
    assert api.add_email(user["token"], address).status_code == 200  # resend
    first, second = smtp.links(address)
    assert api.click(first).status_code == 200
    assert api.click(first).status_code == 200  # the same link again: same answer
    assert api.click(second).status_code == 400  # the other link died with the verification
    with pg_engine.connect() as conn:
        tokens = conn.execute(sa.text("SELECT count(*), count(used_at) FROM email_tokens"))
        assert tokens.one() == (1, 1)


def test_per_address_photo_and_removal(api, client, smtp, names, read_model):
    name = names("pics")
    address = f"{name}@example.com"
    md5, sha256 = hashes(address)
    user = api.signup(name, email=address)
    h = api.auth(user["token"])
    active = api.record(user["id"], b"active", activate=True).get_json()["id"]
    own = api.record(user["id"], b"own").get_json()["id"]
    api.click(smtp.links(address)[0])
    assert read_model.get("email", md5)["photo"]["id"] == active
    r = client.put(f"/v1/me/emails/{address}", json={"photo_id": own}, headers=h)
    assert r.status_code == 200 and r.get_json()["photo_id"] == own
    assert read_model.get("email", md5)["photo"]["id"] == own
    assert read_model.get("email", sha256)["photo"]["id"] == own
    assert read_model.get("user", name)["photo"]["id"] == active
    assert client.delete(f"/v1/me/emails/{address}", headers=h).status_code == 204
    assert read_model.get("email", md5) == read_model.get("email", sha256) == {"missing": True}
    assert api.internal("GET", f"/internal/read-model/email/{sha256}").get_json() == {"missing": True}


def test_two_accounts_verifying_one_address_at_once(api, settings, pg_engine, redis_cache, clock,
                                                   smtp, names):
    api_class = type(api)
    # No resend throttle, so both accounts can hold a link for the same address.
    app = create_app(dataclasses.replace(settings, email_resend_interval=0), cache=redis_cache,
                     clock=clock)
    try:
        api = api_class(app.test_client())
        for round_ in range(4):
            address = f"{names('race')}-{round_}@example.com"
            users = [api.signup(names(f"r{round_}{i}")) for i in range(2)]
            for u in users:
                assert api.add_email(u["token"], address).status_code == 201
            links = smtp.links(address)

            def click(pair):
                link, user = pair   # each claimant confirms its own link, signed in
                with app.test_client() as c:  # one client per thread
                    return api_class(c).click(link, user["token"]).status_code

            with ThreadPoolExecutor(2) as pool:
                statuses = sorted(pool.map(click, zip(links, users)))
            assert statuses[0] == 200 and statuses[1] in (400, 409), statuses
            with pg_engine.connect() as conn:
                claims = conn.execute(sa.text(
                    "SELECT count(*), count(verified_at) FROM emails WHERE email = :a"),
                    {"a": address}).one()
            assert claims == (1, 1)  # the winner's; the loser's claim is gone
    finally:
        app.extensions["onepic_metadata"].engine.dispose()


def test_a_negative_entry_is_served_without_metadata_or_postgres(app, redis_cache, settings,
                                                                 tmp_path, read_model, names):
    digest = hashlib.sha256(f"{names('nobody')}@example.com".encode()).hexdigest()
    blobs = FileBlobStore(tmp_path / "blobs")
    calls = []
    # The negative-entry path: without the filter of known names (a metadata worker of
    # another test may have loaded it into this Redis db), a miss asks metadata once.
    # tests/security/test_unknown_names.py covers the filter.
    redis_cache.delete("rm:known:email")

    def through_metadata(method, path, body=None):
        calls.append(path)
        return first_client._call(method, path, body)

    first_client = MetadataClient.in_process(app.extensions[INTERNAL], settings.internal_token)
    render = Client(render_app(settings, cache=redis_cache, blobs=blobs,
                               metadata=MetadataClient(through_metadata)))
    assert render.get(f"/avatar/{digest}?d=404").status_code == 404
    assert calls == [f"/internal/read-model/email/{digest}"]  # the miss asked metadata once
    assert read_model.get("email", digest) == {"missing": True}

    # A restarted render (empty micro-cache) whose metadata, and so Postgres, is unreachable.
    def unreachable(method, path, body=None):
        raise MetadataUnavailable("metadata is down")

    restarted = Client(render_app(settings, cache=redis_cache, blobs=blobs,
                                  metadata=MetadataClient(unreachable)))
    assert restarted.get(f"/avatar/{digest}?d=404").status_code == 404
    assert restarted.get(f"/avatar/{digest}?d=blank").status_code == 200
    assert calls == [f"/internal/read-model/email/{digest}"]
