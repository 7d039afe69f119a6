"""Every change, walked through the API, leaves the read model as the database says at once.

Shared by tests/unit/metadata (SQLite, the in-memory cache) and tests/integration/metadata
(PostgreSQL, Redis). After each step `reconcile --verify` (reconcile.verify) must find no
entry that differs from the database — right after the step, with no worker running, so no
retry and no TTL can have healed it: the store function that made the change must have
recorded it (services/metadata/relay/readmodel_changes.py). The walk also fails when the
app has a mutating route it did not take, so a new route (and whatever store function it
calls) joins the walk before it can ship."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import request_started

from services.metadata import gc, reconcile
from services.metadata.app import INTERNAL
from services.metadata.photos.expiry import ExpirySweeper
from services.metadata.relay.results import ResultsConsumer
from shared.blobstore import BlobStore, original_key
from shared.images import VARIANTS
from shared.readmodel import ReadModel
from shared.session import CSRF_COOKIE, CSRF_HEADER
from tests import imagefactory
from tests.fakeclock import Clock
from tests.metadata_api import Api, token_of

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class Walk:
    api: Api
    engine: object                       # the app's engine
    read_model: ReadModel
    clock: Clock
    blobs: BlobStore                     # the edit route's blob store (BLOB_URL)
    mail: Callable[[], list]             # every message sent so far, oldest first
    name: Callable[[str], str]           # a unique username / address part
    steps: int = 0

    def check(self, step: str) -> None:
        """The read model equals the database now, and nothing is left pending."""
        self.steps += 1
        differ = reconcile.verify(self.engine, self.read_model, progress=False)
        assert differ == [], f"after {step!r} these entries differ from the database: {differ}"

    def link(self, to: str, path: str) -> str:
        """The token of the newest message to `to` with a link to `path`."""
        for message in reversed(self.mail()):
            body = message.get_body(("plain",)).get_content()
            urls = [u for u in re.findall(r"https?://\S+", body) if path + "?token=" in u]
            if message["To"] == to and urls:
                return token_of(urls[0])
        raise AssertionError(f"no message to {to} with a {path} link")


def mutating_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & MUTATING}


def walk(w: Walk) -> None:
    app = w.api.client.application
    internal = app.extensions[INTERNAL]
    hit: set[str] = set()

    def seen(sender, **_):
        from flask import request
        if request.method in MUTATING:
            hit.add(request.endpoint)

    with request_started.connected_to(seen, app), request_started.connected_to(seen, internal):
        _steps(w)
    untaken = (mutating_endpoints(app) | mutating_endpoints(internal)) - hit
    assert not untaken, f"mutating routes the walk did not take (add them to it): {untaken}"


def _ok(r, *codes):
    assert r.status_code in (codes or (200, 201, 202, 204)), (r.status_code, r.get_json())
    return r.get_json() if r.is_json else None


def _steps(w: Walk) -> None:
    api, client, check = w.api, w.api.client, w.check
    alice_name, bob_name = w.name("alice"), w.name("bob")
    first, second, third = (f"{w.name(n)}@example.com" for n in ("first", "second", "third"))

    alice = api.signup(alice_name, email=first)
    check("sign-up with an address")
    bob = api.signup(bob_name)
    check("sign-up")
    a = api.auth(alice["token"])
    _ok(client.post("/v1/tokens", json={"username": alice_name, "password": "correct horse"}))
    _ok(api.internal("POST", "/internal/auth", json={"token": alice["token"]}))
    check("tokens")

    one = _ok(api.record(alice["id"], b"one", activate=True))
    two = _ok(api.record(alice["id"], b"two"))
    soon = (w.clock.now + timedelta(seconds=60)).isoformat()
    brief = _ok(api.record(alice["id"], b"brief", expires_at=soon))
    check("recorded photos, one active")
    png = imagefactory.solid_png(40, 20)
    w.blobs.put(original_key(hashlib.sha256(png).hexdigest()), png)
    source = _ok(api.record(alice["id"], png, format="png", width=40, height=20))
    check("recorded a png")

    _ok(client.post("/v1/emails/verify", headers=a,
                    json={"token": w.link(first, "/v1/emails/verify")}))
    check("verified the sign-up address")
    _ok(api.add_email(alice["token"], second))
    _ok(client.post("/v1/emails/verify", headers=a,
                    json={"token": w.link(second, "/v1/emails/verify")}))
    _ok(client.put(f"/v1/me/emails/{second}", headers=a, json={"photo_id": two["id"]}))
    check("a second address showing its own photo")
    _ok(api.add_email(bob["token"], third))
    _ok(client.post("/v1/emails/reject", json={"token": w.link(third, "/v1/emails/verify")}))
    check("a claim rejected")

    _ok(client.put("/v1/me/active-photo", headers=a, json={"photo_id": two["id"]}))
    check("active photo changed")
    _ok(client.put("/v1/me/active-photo", headers=a, json={"photo_id": None}))
    check("active photo cleared")
    _ok(client.put("/v1/me/active-photo", headers=a, json={"photo_id": one["id"]}))
    _ok(client.patch(f"/v1/photos/{one['id']}", headers=a, json={"rating": "pg"}))
    check("rating of the active photo")
    _ok(client.patch(f"/v1/photos/{two['id']}", headers=a, json={"expires_in": 3600}))
    check("lifetime of an address's photo")
    _ok(client.patch(f"/v1/photos/{one['id']}", headers=a, json={"alt": "a cat"}))
    check("alt text")

    consumer = ResultsConsumer(w.engine)
    consumer.handle({"sha256": one["sha256"], "variants": [
        {"name": n, "fmt": "jpeg", "width": s, "height": s, "bytes": 10}
        for n, s in VARIANTS.items()]})
    check("variants recorded")
    consumer.handle_dead_letter({"sha256": two["sha256"], "format": "jpeg"})
    check("resize given up")

    edit = _ok(client.put(f"/v1/photos/{source['id']}/transform", headers=a,
                          json={"rotate": 90}))
    check("an edit")
    _ok(client.put(f"/v1/me/emails/{first}", headers=a, json={"photo_id": edit["id"]}))
    _ok(client.delete(f"/v1/photos/{edit['id']}", headers=a))
    check("deleted the photo an address showed")
    _ok(client.delete(f"/v1/photos/{two['id']}", headers=a))
    _ok(client.delete(f"/v1/me/emails/{second}", headers=a))
    check("deleted a verified address")

    later = Clock(w.clock.now + timedelta(seconds=61))
    assert ExpirySweeper(w.engine, clock=later).sweep_once() == 1
    assert w.read_model.get("photo", brief["id"]) == {"id": brief["id"], "gone": True}
    check("expiry sweep")

    ticket = _ok(api.internal("POST", "/internal/uploads", json={
        "user_id": alice["id"], "content_type": "image/png", "bytes": 10}))
    _ok(api.internal("DELETE", f"/internal/uploads/{ticket['id']}"))
    check("an upload ticket")

    spare = _ok(client.post("/v1/tokens", json={"username": alice_name,
                                                "password": "correct horse"}))
    _ok(client.delete(f"/v1/tokens/{spare['id']}", headers=a))
    _ok(client.put("/v1/me/password", headers=a,
                   json={"password": "correct horse", "new_password": "battery staple"}))
    _ok(client.post("/v1/password-resets", json={"username": alice_name}))
    _ok(client.post("/v1/password-resets/confirm", json={
        "token": w.link(first, "/v1/password-resets"), "new_password": "correct horse"}))
    client.get("/")  # the page hands out the sign-in form's CSRF cookie
    _ok(client.post("/v1/session", headers={CSRF_HEADER: client.get_cookie(CSRF_COOKIE).value},
                    json={"username": alice_name, "password": "correct horse"}))
    _ok(client.delete("/v1/session", headers={CSRF_HEADER: client.get_cookie(CSRF_COOKIE).value}))
    check("passwords, tokens, sessions")

    fourth = f"{w.name('fourth')}@example.com"
    _ok(api.add_email(bob["token"], fourth))
    _ok(client.post("/v1/emails/verify", headers=api.auth(bob["token"]),
                    json={"token": w.link(fourth, "/v1/emails/verify")}))
    _ok(client.delete("/v1/me", headers=api.auth(bob["token"]),
                      json={"password": "correct horse"}))
    check("an account with an address and no photo deleted")
    fresh = _ok(client.post("/v1/tokens", json={"username": alice_name,
                                                "password": "correct horse"}))
    _ok(client.delete("/v1/me", headers=api.auth(fresh["token"]),
                      json={"password": "correct horse"}))
    assert w.read_model.get("user", alice_name) == {"missing": True}
    check("an account with photos deleted")
    gc.sweep(w.engine, w.blobs, grace=0)
    check("garbage collection")
