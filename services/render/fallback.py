"""What an avatar route shows instead of the picture: when there is none, when `f` forces the
default, or when the picture is rated above `r`.

Which default (`d`) was asked for is parsed in params.py; this module says whether the
picture is shown, and what a generated default is drawn from (seed, initials)."""
from __future__ import annotations

import hashlib
import time

from .params import MP, RATINGS, AvatarParams

RANK = {r: i for i, r in enumerate(RATINGS)}
# Drawn the same for everybody, so one cached rendering per size and format serves all.
SEEDLESS = frozenset((MP, "blank"))
# Generated kinds with transparent pixels: they negotiate PNG rather than JPEG.
TRANSPARENT = frozenset(("blank",))


def shown_photo(entry: dict | None, params: AvatarParams) -> dict | None:
    """The PhotoView an avatar entry shows under these parameters, or None for the default."""
    if entry is None or params.force_default:
        return None
    photo = entry.get("photo")
    if photo is not None and expired(photo):  # until the sweep clears the pointer
        return None
    # A rating we do not know is treated as the strictest, so it is never shown by mistake.
    if photo is not None and RANK.get(photo.get("rating") or "g", 3) > RANK[params.rating]:
        return None
    return photo


def expired(view: dict) -> bool:
    """Past the photo's expires_at (Unix seconds in the read model), or swept already."""
    if view.get("gone"):
        return True
    expires = view.get("expires_at")
    return expires is not None and expires <= time.time()


def has_alpha(kind: str) -> bool:
    return kind in TRANSPARENT


def seed(kind: str, email_hash: str | None, name: str) -> str:
    """What a generated default is derived from: the email hash on /avatar/<hash>, else a hash
    of the lower-cased name (so the seed is hex of a bounded length whatever the URL held)."""
    if kind in SEEDLESS:
        return ""
    return email_hash or hashlib.md5(name.encode()).hexdigest()


def initials(params: AvatarParams, entry: dict | None, username: str | None) -> str:
    """The letters of an `initials` default: from `initials=`/`name=`, else the account's
    username (or the one in the URL), else "?". Reduced to the letters drawn, so the cache key
    stays short and equal requests share one rendering."""
    from services.render.avatars.initials import letters
    source = params.initials
    if not source and entry is not None:
        source = entry.get("username")
    return letters(source or username)


def generate(kind: str, size: int, fmt: str, seed: str, text: str) -> bytes:
    from .avatars import generate as draw
    return draw(kind, seed, size, fmt, initials=text or None)
