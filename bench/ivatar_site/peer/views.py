"""ivatar's request path for a digest nobody claimed, asked for `d=identicon`, as its
AvatarImageView walks it: look the absolute URI up in the response file cache, read
s/d/f/gravatarproxy from the query, look the digest up as an email MD5 and an email SHA-256
(`get`, a miss raising DoesNotExist), then as an OpenID (four columns), draw an identicon of the
re-hashed digest with Pillow, save it as PNG and write the answer to the file cache.

One difference, making this peer faster than ivatar: the identicon is drawn by PyPI's
pydenticon (ivatar uses pydenticon5, which is not on PyPI; a one-off measurement of both at
80 px is in bench/README.md)."""
import hashlib

import pydenticon
from django.conf import settings
from django.core.cache import caches
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect

from .models import ConfirmedEmail, ConfirmedOpenId

MAX_SIZE = 512
FOREGROUND = ["rgb(45,79,255)", "rgb(254,180,44)", "rgb(226,121,234)", "rgb(30,179,253)",
              "rgb(232,77,65)", "rgb(49,203,115)", "rgb(141,69,170)"]
GENERATOR = pydenticon.Generator(5, 5, digest=hashlib.md5, foreground=FOREGROUND,
                                 background="rgb(224,224,224)")


def _size(request) -> int:
    raw = request.GET.get("size") or request.GET.get("s") or "80"
    try:
        size = int(raw)
    except ValueError:
        size = 80
    return min(size, MAX_SIZE) if size > 0 else 80


def avatar(request, digest: str):
    uri = request.build_absolute_uri()
    if settings.CACHE_RESPONSE:
        hit = caches["filesystem"].get(uri)
        if hit:
            return HttpResponse(hit["content"], content_type=hit["content_type"])
    size = _size(request)
    default = request.GET.get("default") or request.GET.get("d")
    force = "y" in (request.GET.get("f"), request.GET.get("forcedefault"))
    proxy = request.GET.get("gravatarproxy") != "n"
    found = _lookup(digest)
    if found is not None and found.photo and not force:
        return HttpResponse(bytes(found.photo.data), content_type="image/png")
    if proxy and not force:
        return HttpResponseRedirect(f"/gravatarproxy/{digest}?s={size}")
    if default != "identicon":
        return HttpResponse(status=404)
    # ivatar re-hashes the digest so the drawing uses all of it.
    seed = hashlib.md5(digest.encode()).hexdigest()
    png = GENERATOR.generate(seed, size, size, output_format="png")
    if settings.CACHE_RESPONSE:
        caches["filesystem"].set(uri, {"content": png, "content_type": "image/png",
                                       "status": 200, "reason": None, "charset": None})
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "max-age=300"
    return response


def _lookup(digest: str):
    try:
        return ConfirmedEmail.objects.get(digest=digest)
    except ConfirmedEmail.DoesNotExist:
        pass
    try:
        return ConfirmedEmail.objects.get(digest_sha256=digest)
    except ConfirmedEmail.DoesNotExist:
        pass
    return ConfirmedOpenId.objects.filter(Q(digest=digest) | Q(alt_digest1=digest)
                                          | Q(alt_digest2=digest)
                                          | Q(alt_digest3=digest)).first()
