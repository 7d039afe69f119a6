"""What a render URL asks for: extension, query parameters and the negotiated format.

Parsing is hand-rolled and tiny because it runs on every warm request."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from shared.images import VARIANTS

MAX_SIDE = 2048
DEFAULT_AVATAR_SIZE = 80
EXTENSIONS = {"jpg": "jpeg", "png": "png", "webp": "webp"}
PHOTO_SIZES = frozenset(VARIANTS) | {"original"}
FITS = ("contain", "cover")


class BadRequest(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class AvatarParams:
    size: int
    # Gravatar's d/f/r are kept raw here; fallback.py gives them meaning.
    default: str | None = None
    force_default: bool = False
    rating: str | None = None


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
    for k, v in parse_qsl(qs, keep_blank_values=True):
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
    return 1 if value < 1 else MAX_SIDE if value > MAX_SIDE else value


def avatar_params(q: dict[str, str]) -> AvatarParams:
    raw = q.get("s", q.get("size"))
    size = DEFAULT_AVATAR_SIZE
    if raw is not None:
        try:
            size = _clamp(int(raw))
        except ValueError:
            pass  # the Gravatar contract: a non-number means the default size
    force = q.get("f", q.get("forcedefault", "")).lower() in ("y", "yes", "true", "1")
    return AvatarParams(size, q.get("d", q.get("default")), force, q.get("r", q.get("rating")))


def _side(q: dict[str, str], name: str) -> int | None:
    raw = q.get(name)
    if raw is None or raw == "":
        return None
    try:
        return _clamp(int(raw))
    except ValueError:
        raise BadRequest("invalid_dimension", f"{name} must be a whole number of pixels (1-2048).")


def photo_params(q: dict[str, str]) -> PhotoParams:
    named = q.get("size")
    if named is not None and named not in PHOTO_SIZES:
        raise BadRequest("invalid_size",
                         "size must be one of thumbnail, small, medium, large, original.")
    fit = q.get("fit", "contain")
    if fit not in FITS:
        raise BadRequest("invalid_fit", "fit must be contain or cover.")
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
