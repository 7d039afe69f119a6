"""Published Gravatar/Libravatar client libraries pointed at OnePic: the URLs they build for an
email, with only the scheme and host swapped to the origin under test, must answer as Gravatar
would (size, default kinds, 404, forced default, rating, extension, redirect).

- libgravatar builds `https://www.gravatar.com/avatar/<md5>[.jpg]?size=&default=&forcedefault=
  &rating=` (the long parameter names); we swap the scheme and host.
- pyLibravatar builds `http://<server>/avatar/<md5>?d=&s=`, where <server> comes from the
  email domain's `_avatars._tcp` SRV record (Libravatar federation). We answer that DNS query
  with the origin under test, which is exactly how a domain delegates its avatars to a
  self-hosted server, so the library itself puts our host in the URL.
"""
from __future__ import annotations

import hashlib
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import libgravatar
import libravatar
import pytest
import requests

from .images import RED, close_to, decode, jpeg, mean_rgb
from .mail import verification_token

MP_CORNER = (224, 224, 224)   # the light grey behind the mp silhouette


# -- getting an address verified, as its owner would ------------------------------------------
def claim_email(api, address: str) -> None:
    r = api.request("POST", "/v1/me/emails", json={"email": address})
    assert r.status_code == 201, r.text


def verify_email(system, api, address: str) -> None:
    """Open the link (GET shows the claim and changes nothing), then Confirm as the account."""
    token = verification_token(system, address.strip().lower())
    shown = requests.get(f"{api.base}/v1/emails/verify", params={"token": token}, timeout=30)
    assert shown.status_code == 200, shown.text
    assert shown.json()["username"] == api.username
    r = api.request("POST", "/v1/emails/verify", json={"token": token})
    assert r.status_code == 200, r.text
    emails = {e["email"]: e for e in api.get("/v1/me").json()["emails"]}
    assert emails[address.strip().lower()]["verified"] is True


# -- the two clients ---------------------------------------------------------------------------
def on_origin(url: str, base_url: str) -> str:
    """`url` with only its scheme and host swapped for the origin under test."""
    parts, origin = urlsplit(url), urlsplit(base_url)
    return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, parts.fragment))


class Srv:
    """One DNS SRV answer, shaped as dnspython's rdata."""

    def __init__(self, host: str, port: int):
        self.priority, self.weight, self.port, self.target = 0, 0, port, host + "."


@pytest.fixture
def libravatar_server(base_url, monkeypatch):
    """Every email domain's `_avatars._tcp` SRV record names the origin under test."""
    origin = urlsplit(base_url)
    asked = []

    def resolve(name, rdtype):
        assert rdtype == "SRV"
        asked.append(name)
        return [Srv(origin.hostname, origin.port)]

    monkeypatch.setattr(libravatar.dns.resolver, "resolve", resolve)
    return asked


def gravatar_url(base_url: str, email: str, **options) -> str:
    url = libgravatar.Gravatar(email).get_image(**options)
    assert url.startswith("https://www.gravatar.com/avatar/"), url
    return on_origin(url, base_url)


def libravatar_url(email: str, **options) -> str:
    return libravatar.libravatar_url(email=email, https=False, **options)


def fetch(url: str, **headers) -> requests.Response:
    return requests.get(url, headers=headers, timeout=30, allow_redirects=False)


def image_of(r: requests.Response, side: int):
    assert r.status_code == 200, (r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("image/")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    img = decode(r.content)
    assert img.size == (side, side), img.size
    return img


def is_mp(img) -> bool:
    corner = img.convert("RGB").crop((0, 0, 2, 2))
    return close_to(corner, MP_CORNER, 8)


# -- the account under test ---------------------------------------------------------------------
@pytest.fixture
def ann(system, user):
    """A user with a red picture (rated `pg`) and a verified address; the address is given to
    the clients with the case and spaces a user might type."""
    address = f"ann.{user.username}@example.com"
    claim_email(user, address)
    verify_email(system, user, address)
    user.upload_ok(jpeg(RED), rating="pg", activate="true")
    user.email = address
    user.typed = f"  Ann.{user.username}@Example.COM "
    return user


def nobody() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.com"


# -- the tests ----------------------------------------------------------------------------------
def test_libgravatar_size_rating_and_extension(base_url, ann):
    email = ann.typed
    # The picture is rated pg: Gravatar's default rating g hides it behind the default.
    img = image_of(fetch(gravatar_url(base_url, email, size=96)), 96)
    assert is_mp(img), mean_rgb(img)
    for rating in ("pg", "r", "x"):
        img = image_of(fetch(gravatar_url(base_url, email, size=96, rating=rating)), 96)
        assert close_to(img, RED), (rating, mean_rgb(img))
    img = image_of(fetch(gravatar_url(base_url, email, rating="g")), 80)   # size default: 80
    assert is_mp(img)
    # filetype_extension adds .jpg, which beats an Accept that would pick WebP.
    r = fetch(gravatar_url(base_url, email, size=50, rating="x", filetype_extension=True),
              Accept="image/webp,*/*")
    img = image_of(r, 50)
    assert img.format == "JPEG" and r.headers["Content-Type"] == "image/jpeg"
    assert "Vary" not in r.headers and close_to(img, RED)


def test_libgravatar_forced_default(base_url, ann):
    shown = image_of(fetch(gravatar_url(base_url, ann.typed, size=40, rating="pg")), 40)
    assert close_to(shown, RED)
    img = image_of(fetch(gravatar_url(base_url, ann.typed, size=40, rating="pg",
                                      force_default=True)), 40)
    assert is_mp(img) and not close_to(img, RED, 60)
    r = fetch(gravatar_url(base_url, ann.typed, size=40, rating="pg", default="404",
                           force_default=True))
    assert r.status_code == 404


def test_libgravatar_defaults_for_an_unknown_address(base_url):
    email = nobody()
    mp = image_of(fetch(gravatar_url(base_url, email, size=64)), 64)
    assert is_mp(mp)
    assert is_mp(image_of(fetch(gravatar_url(base_url, email, size=64, default="mm")), 64))
    drawn = {}
    for kind in ("identicon", "monsterid", "wavatar", "retro", "robohash"):
        img = image_of(fetch(gravatar_url(base_url, email, size=64, default=kind)), 64)
        assert not is_mp(img), kind
        drawn[kind] = img.convert("RGB").tobytes()
        # Deterministic for the hash: the same URL draws the same pixels.
        again = image_of(fetch(gravatar_url(base_url, email, size=64, default=kind)), 64)
        assert again.convert("RGB").tobytes() == drawn[kind], kind
    assert len(set(drawn.values())) == len(drawn)   # each kind its own design

    blank = image_of(fetch(gravatar_url(base_url, email, size=64, default="blank")), 64)
    assert blank.format == "PNG" and blank.mode == "RGBA"
    assert blank.getchannel("A").getextrema() == (0, 0)

    r = fetch(gravatar_url(base_url, email, size=64, default="404"))
    assert r.status_code == 404
    assert r.headers["Cache-Control"].startswith("public, max-age=")
    assert r.headers["Access-Control-Allow-Origin"] == "*" and r.headers["ETag"]


def test_libgravatar_default_url_redirects(base_url, ann):
    target = "https://static.example.org/img/default-avatar.png"
    r = fetch(gravatar_url(base_url, nobody(), size=64, default=target))
    assert r.status_code == 302 and r.headers["Location"] == target
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    # An address with a picture shows it whatever default was asked for.
    img = image_of(fetch(gravatar_url(base_url, ann.typed, size=64, default=target,
                                      rating="pg")), 64)
    assert close_to(img, RED)


def test_libravatar_federation_reaches_onepic(base_url, ann, libravatar_server):
    url = libravatar_url(ann.typed, size=120)
    assert url.startswith(base_url + "/avatar/"), url
    assert libravatar_server and libravatar_server[0].endswith("example.com")
    # pyLibravatar cannot ask for a rating, so it gets Gravatar's g: the pg picture is hidden.
    assert is_mp(image_of(fetch(url), 120))
    assert fetch(libravatar_url(ann.typed, size=120, default="404")).status_code == 404
    ann.upload_ok(jpeg((30, 200, 40)), rating="g", activate="true")
    deadline = time.monotonic() + 1.0
    while True:   # the new picture within a second of the switch
        img = image_of(fetch(url), 120)
        if close_to(img, (30, 200, 40)):
            break
        assert time.monotonic() < deadline, mean_rgb(img)
        time.sleep(0.05)


def test_libravatar_sizes_and_defaults(base_url, libravatar_server):
    email = nobody()
    image_of(fetch(libravatar_url(email, size=1)), 1)
    for size, side in ((48, 48), (512, 512), (4000, 512)):   # the library caps at 512
        assert is_mp(image_of(fetch(libravatar_url(email, size=size)), side))
    identicon = image_of(fetch(libravatar_url(email, size=48, default="identicon")), 48)
    assert not is_mp(identicon)
    r = fetch(libravatar_url(email, size=48, default="404"))
    assert r.status_code == 404 and r.headers["Access-Control-Allow-Origin"] == "*"
    target = "http://static.example.org/a.png"
    r = fetch(libravatar_url(email, size=48, default=target))
    assert r.status_code == 302 and r.headers["Location"] == target


def test_sha256_of_the_address_names_it_too(base_url, ann):
    # Libravatar hashes with SHA-256 when asked for it; the clients here use MD5, so the URL
    # is built the way API.md describes it.
    digest = hashlib.sha256(ann.email.encode()).hexdigest()
    img = image_of(fetch(f"{base_url}/avatar/{digest.upper()}.png?s=40&r=pg"), 40)
    assert img.format == "PNG" and close_to(img, RED)


def test_unverified_address_shows_the_default(system, user, base_url):
    address = f"pending.{user.username}@example.com"
    user.upload_ok(jpeg(RED), activate="true")
    claim_email(user, address)
    img = image_of(fetch(gravatar_url(base_url, address, size=32, rating="x")), 32)
    assert is_mp(img) and not close_to(img, RED, 60)
    verify_email(system, user, address)
    # Verification writes the read model; render's micro-cache may hold the miss ≤ 1 s.
    deadline = time.monotonic() + 2.0
    while not close_to(img, RED):
        assert time.monotonic() < deadline, mean_rgb(img)
        time.sleep(0.05)
        img = image_of(fetch(gravatar_url(base_url, address, size=32, rating="x")), 32)
