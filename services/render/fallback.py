"""What an avatar route shows when there is no picture to show.

Today that is always the `mp` silhouette. Gravatar's `d`/`f`/`r` parameters (identicons,
404, redirects, ratings) arrive in a later issue: they slot in as new entries of GENERATORS
and new branches of `choose`, without the app changing."""
from __future__ import annotations

from .params import AvatarParams

MP = "mp"


def _mystery_person(size: int, fmt: str, ident: str) -> bytes:
    from shared.images.defaults import mystery_person
    return mystery_person(size, fmt)


# kind → (generator(size, fmt, ident) -> bytes, has transparency, depends on ident)
GENERATORS = {MP: (_mystery_person, False, False)}


def shown_photo(entry: dict | None, params: AvatarParams) -> dict | None:
    """The PhotoView an avatar entry shows under these parameters, or None for the default."""
    if entry is None or params.force_default:
        return None
    return entry.get("photo")


def choose(params: AvatarParams) -> str:
    """The default kind for these parameters."""
    return MP


def generators() -> dict:
    return {kind: gen for kind, (gen, _, _) in GENERATORS.items()}


def has_alpha(kind: str) -> bool:
    return GENERATORS[kind][1]


def ident_for(kind: str, ident: str) -> str:
    """Defaults that do not depend on who is asked share one cached rendering per size."""
    return ident if GENERATORS[kind][2] else ""
