"""What a render URL asks for: extension, query parameters and the negotiated format.

Parsing is hand-rolled and tiny because it runs on every warm request."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit

from services.render.avatars import KINDS as GENERATED_KINDS
from shared.errors import ApiError
from shared.images import VARIANTS
from shared.photos import RATINGS  # in order: each allows everything before it

MAX_SIDE = 2048
DEFAULT_AVATAR_SIZE = 80
EXTENSIONS = {"jpg": "jpeg", "png": "png", "webp": "webp"}
PHOTO_SIZES = frozenset(VARIANTS) | {"original"}
FITS = ("contain", "cover")

# What `d`/`default` can ask for besides a generated kind. `mm` is Gravatar's older name of mp.
MP, NOT_FOUND, REDIRECT = "mp", "404", "redirect"
DEFAULT_KEYWORDS = {MP: MP, "mm": MP, NOT_FOUND: NOT_FOUND, **{k: k for k in GENERATED_KINDS}}
FORCE_VALUES = ("y", "yes", "true", "1")
MAX_REDIRECT_LENGTH = 2048
# What a `d=` URL's path must end in to be followed (Gravatar's rule, plus WebP).
REDIRECT_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")
# Control characters in a Location header would let a URL inject headers (CR LF).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Everything a URL may hold as it is; quote() escapes the rest (spaces, non-ASCII, backslash).
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


@dataclass(frozen=True, slots=True)
class AvatarParams:
    size: int
    default: str = MP               # a DEFAULT_KEYWORDS value, or REDIRECT
    force_default: bool = False
    rating: str = "g"               # the highest rating shown
    redirect: str | None = None     # the Location when default is REDIRECT
    initials: str | None = None     # `initials=` or `name=`: what the initials are drawn from


@dataclass(frozen=True, slots=True)
class PhotoParams:
    named: str | None           # a VARIANTS name or "original"; None when w/h are given
    width: int | None = None
    height: int | None = None
    fit: str = "contain"
    explicit: bool = False      # the URL chose the size, so the answer is immutable


def query(qs: str) -> dict[str, str]:
    """First value of each parameter (Gravatar clients never repeat them)."""
    if not qs:
        return {}
    out: dict[str, str] = {}
    if "%" in qs or "+" in qs:
        pairs = parse_qsl(qs, keep_blank_values=True)
    else:
        # Nothing to unquote (the usual `s=80&d=mp`): a plain split is a seventh of the
        # cost of parse_qsl on the warm path, with the same result.
        pairs = (p.partition("=")[::2] for p in qs.split("&") if p)
    for k, v in pairs:
        out.setdefault(k, v)
    return out


def split_extension(segment: str) -> tuple[str, str | None] | None:
    """(name, format from the extension or None); None for an extension we never serve."""
    name, dot, ext = segment.rpartition(".")
    if not dot:
        return segment, None
    fmt = EXTENSIONS.get(ext.lower())
    return (name, fmt) if fmt and name else None


def _clamp(value: int) -> int:
    return 1 if value < 1 else min(value, MAX_SIDE)


def avatar_params(q: dict[str, str]) -> AvatarParams:
    raw = q.get("s", q.get("size"))
    size = DEFAULT_AVATAR_SIZE
    if raw is not None:
        try:
            size = _clamp(int(raw))
        except ValueError:
            pass  # the Gravatar contract: a non-number means the default size
    if not q or (len(q) == 1 and raw is not None):
        return AvatarParams(size)   # the common `?s=N`: nothing else to look at
    default, redirect = default_image(q.get("d", q.get("default")))
    force = q.get("f", q.get("forcedefault", "")).lower() in FORCE_VALUES
    rating = q.get("r", q.get("rating", "g")).lower()
    if rating not in RATINGS:
        rating = "g"  # like Gravatar: an unknown rating means the default, g
    return AvatarParams(size, default, force, rating, redirect,
                        q.get("initials") or q.get("name") or None)


def default_image(raw: str | None) -> tuple[str, str | None]:
    """(kind, redirect URL) for a `d` value. Like Gravatar, anything unusable (an unknown
    keyword, a relative or non-http(s) URL such as javascript: or data:) shows the default
    image, mp, rather than an error: an <img> tag has no use for a JSON error."""
    if not raw:
        return MP, None
    kind = DEFAULT_KEYWORDS.get(raw.lower())
    if kind is not None:
        return kind, None
    url = redirect_target(raw)
    return (REDIRECT, url) if url else (MP, None)


def redirect_target(url: str) -> str | None:
    """The Location for an absolute http(s) URL of an image (already URL-decoded once by the
    query parser), or None when it is not one.

    As Gravatar does, only a URL whose path ends in an image extension and that has no query
    string is followed: anything else would make /avatar/… an open redirect (to a login
    page, say) that a CDN caches publicly."""
    if len(url) > MAX_REDIRECT_LENGTH or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced [ in the host
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if parts.query or not parts.path.lower().endswith(REDIRECT_EXTENSIONS):
        return None
    return quote(url, safe=_URL_SAFE)


def _side(q: dict[str, str], name: str) -> int | None:
    raw = q.get(name)
    if raw is None or raw == "":
        return None
    try:
        return _clamp(int(raw))
    except ValueError:
        raise ApiError(400, "invalid_dimension",
                            f"{name} must be a whole number of pixels (1-2048).") from None


def photo_params(q: dict[str, str]) -> PhotoParams:
    named = q.get("size")
    if named is not None and named not in PHOTO_SIZES:
        raise ApiError(400, "invalid_size",
                            "size must be one of thumbnail, small, medium, large, original.")
    fit = q.get("fit", "contain")
    if fit not in FITS:
        raise ApiError(400, "invalid_fit", "fit must be contain or cover.")
    width, height = _side(q, "w"), _side(q, "h")
    if width is None and height is None:
        return PhotoParams(named or "large", explicit=named is not None)
    if fit == "cover" and (width is None or height is None):
        fit = "contain"  # one side alone leaves nothing to crop
    return PhotoParams(None, width, height, fit, explicit=True)


def accepts_webp(accept: str) -> bool:
    i = accept.find("image/webp")
    if i < 0:
        return False
    for param in accept[i + 10:].split(",", 1)[0].split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value) > 0
            except ValueError:
                return False
    return True


def negotiate(ext_fmt: str | None, accept: str, alpha: bool) -> tuple[str, bool]:
    """(format, whether it depended on Accept — then the answer needs `Vary: Accept`)."""
    if ext_fmt:
        return ext_fmt, False
    if accepts_webp(accept):
        return "webp", True
    return ("png" if alpha else "jpeg"), True
