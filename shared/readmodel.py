"""The read model: what the render service needs to answer a request, kept in the cache.

Metadata is its only writer and rewrites the affected entries on every change that render
can see (photo created, variants recorded, active photo changed, photo deleted, rating
changed, email address verified, given a photo or removed). An alt change rewrites nothing:
alt is not part of an entry.
Render only reads it; on a miss it asks metadata's internal API, which answers and writes
the entry back (so a flushed Redis heals itself).

Entries (JSON):
- `rm:user:<username lower>` → {"username": "arpit", "photo": PhotoView | null}
  A *negative* entry {"missing": true} says there is no such user.
- `rm:photo:<photo id>` → PhotoView, or {"missing": true}.
- `rm:email:<md5 or sha256 hex>` → {"username": …, "photo": PhotoView | null}, or missing.
  Only verified addresses resolve; `photo` is the address's own photo, else the account's
  active photo. Used by /avatar/<hash>.

PhotoView = {"id", "sha256", "format", "width", "height", "alpha": bool, "rating",
             "variants": {"thumbnail": ["jpeg", "webp"], "small": [...], ...}}
`width`/`height` are of the original after EXIF orientation is applied. `variants` lists
only what exists in the blob store; an empty dict means "render from the original".
"""
from __future__ import annotations

import json

from .cache import Cache

MISSING = {"missing": True}
# Negative entries expire so a miss is cheap but never permanent if a write was lost.
NEGATIVE_TTL = 3600


def _key(kind: str, name: str) -> str:
    return f"rm:{kind}:{name}"


class ReadModel:
    def __init__(self, cache: Cache):
        self.cache = cache

    # -- reads (render) -------------------------------------------------------------
    def get(self, kind: str, name: str) -> dict | None:
        """The entry, MISSING-shaped dict for a negative entry, or None when not cached.

        Raises CacheUnavailable when the cache is down."""
        raw = self.cache.get(_key(kind, name))
        return None if raw is None else json.loads(raw)

    # -- writes (metadata only) ------------------------------------------------------
    def put(self, kind: str, name: str, entry: dict | None) -> None:
        """Write an entry; None writes a negative entry."""
        if entry is None:
            self.cache.set(_key(kind, name), json.dumps(MISSING).encode(), ttl=NEGATIVE_TTL)
        else:
            self.cache.set(_key(kind, name), json.dumps(entry, separators=(",", ":")).encode())


def is_missing(entry: dict | None) -> bool:
    return bool(entry) and entry.get("missing") is True
