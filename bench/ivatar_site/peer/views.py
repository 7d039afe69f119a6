"""ivatar's request path for a digest nobody claimed, asked for `d=identicon`, as its
AvatarImageView walks it: read s/d/f/gravatarproxy from the query, look the digest up as an
email MD5, an email SHA-256, then an OpenID (four columns), and draw an identicon of the
re-hashed digest with Pillow, saved as PNG.

Two differences, both making this peer faster than ivatar, never slower: the identicon is drawn
by PyPI's pydenticon (ivatar uses pydenticon5, which is not on PyPI; a one-off measurement of
both at 80 px is in docs/capacity.md), and the rendered response is not written to a file cache
(ivatar as shipped sets CACHE_RESPONSE, one file write per new digest)."""
import hashlib

import pydenticon
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
    size = _size(request)
    default = request.GET.get("default") or request.GET.get("d")
    force = "y" in (request.GET.get("f"), request.GET.get("forcedefault"))
    proxy = request.GET.get("gravatarproxy") != "n"
    found = (ConfirmedEmail.objects.filter(digest=digest).first()
             or ConfirmedEmail.objects.filter(digest_sha256=digest).first()
             or ConfirmedOpenId.objects.filter(Q(digest=digest) | Q(alt_digest1=digest)
                                               | Q(alt_digest2=digest)
                                               | Q(alt_digest3=digest)).first())
    if found is not None and found.photo and not force:
        return HttpResponse(bytes(found.photo), content_type="image/png")
    if proxy and not force:
        return HttpResponseRedirect(f"/gravatarproxy/{digest}?s={size}")
    if default != "identicon":
        return HttpResponse(status=404)
    # ivatar re-hashes the digest so the drawing uses all of it.
    seed = hashlib.md5(digest.encode()).hexdigest()
    png = GENERATOR.generate(seed, size, size, output_format="png")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "max-age=300"
    return response
