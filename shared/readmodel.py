"""The read model: what the render service needs to answer a request, kept in the cache.

Metadata is its only writer and rewrites the affected entries on every change that render
can see (photo created, variants recorded, active photo changed, photo deleted, rating
changed, email address verified, given a photo or removed). An alt change rewrites nothing:
alt is not part of an entry.
Render only reads it; on a miss it asks metadata's internal API, which answers and writes
the entry back (so a flushed Redis heals itself).

Convergence (design guarantee 7, docs/reliability.md): every entry carries "v", the update
counter of its key in metadata's database, and is written with compare-and-set (one Redis
round trip), so an older state never replaces a newer one, whoever writes last. Each write
is announced on CHANGED so every render process drops its micro-cached copy at once (push),
instead of waiting out its lifetime. Entries expire after a safety TTL (a lost write cannot
stay wrong for ever), and `python -m services.metadata.reconcile` rebuilds or verifies all.

Entries (JSON; their shapes are the TypedDicts below, which writer and reader both name):
- `rm:user:<username lower>` → OwnerEntry {"username": "arpit", "photo": PhotoView | null}
  A *negative* entry {"missing": true} says there is no such user.
- `rm:photo:<photo id>` → PhotoView, {"id", "gone": true} for a photo the expiry sweep
  removed (render answers 410), or {"missing": true}.
- `rm:email:<md5 or sha256 hex>` → OwnerEntry, or missing. Only verified addresses
  resolve; `photo` is the address's own photo, else the account's active photo. Used by
  /avatar/<hash>.
In the cache each also carries "v" (above), which `get` takes off.

The filter of known names: `rm:known:user` (usernames) and `rm:known:email` (md5 and sha256
of verified addresses) are sets, so render answers a name that is in neither without asking
metadata, and so Postgres: a flood of random hashes costs Redis lookups, not transactions.
A set counts only once it holds COMPLETE, which metadata's worker adds after loading every
name from the database (and again whenever it finds the member gone: a flushed Redis).
Metadata adds a name whenever it writes that name's entry, before the entry is visible; a
name left behind after a deletion only costs the old lookup. Until a set is complete render
asks metadata as before.

"""
from __future__ import annotations

import json
from typing import TypedDict

from .cache import Cache


class PhotoView(TypedDict):
    """What render needs of a photo. `width`/`height` are of the original after EXIF
    orientation is applied; `variants` lists only what exists in the blob store, e.g.
    {"thumbnail": ["jpeg", "webp"], …}; an empty dict means "render from the original"."""
    id: str
    sha256: str
    format: str
    width: int
    height: int
    alpha: bool
    rating: str
    variants: dict[str, list[str]]
    expires_at: int | None  # Unix seconds; past it render answers 410 / shows the default


class OwnerEntry(TypedDict):
    """A user's entry, or a verified address's: whose it is and the photo it shows."""
    username: str
    photo: PhotoView | None


MISSING = {"missing": True}
# Negative entries expire so a miss is cheap but never permanent if a write was lost.
NEGATIVE_TTL = 3600
# Positive ones too, later: the safety net under the versioned, retried refreshes.
ENTRY_TTL = 24 * 3600
# The pub/sub channel of changed keys ("<kind>:<name>").
CHANGED = "rm:changed"


def _key(kind: str, name: str) -> str:
    return f"rm:{kind}:{name}"


class ReadModel:
    def __init__(self, cache: Cache):
        self.cache = cache

    # -- reads (render) -------------------------------------------------------------
    def get(self, kind: str, name: str) -> dict | None:
        """The entry, MISSING-shaped dict for a negative entry, or None when not cached.

        Raises CacheUnavailable when the cache is down."""
        entry, _version = self.get_versioned(kind, name)
        return entry

    def get_or_known(self, kind: str, name: str) -> tuple[dict | None, bool | None]:
        """(the entry as `get` returns it, and whether the filter of known names holds the
        name: True/False from a complete set, None when it cannot say), in one round trip.
        `kind` is one of KNOWN_KINDS. Raises CacheUnavailable."""
        raw, (held, complete) = self.cache.get_and_has_members(
            _key(kind, name), _known_key(kind), name, COMPLETE)
        entry = None
        if raw is not None:
            entry = json.loads(raw)
            entry.pop("v", None)
        return entry, held if complete else None

    def get_versioned(self, kind: str, name: str) -> tuple[dict | None, int | None]:
        """(entry without its "v", the version it was written at), or (None, None)."""
        raw = self.cache.get(_key(kind, name))
        if raw is None:
            return None, None
        entry = json.loads(raw)
        return entry, entry.pop("v", None)

    # -- writes (metadata only) ------------------------------------------------------
    def put(self, kind: str, name: str, entry: dict | None, version: int) -> bool:
        """Write an entry at `version` unless the cache holds that version or a newer one;
        None writes a negative entry. True if written. Raises CacheUnavailable."""
        body = {**(MISSING if entry is None else entry), "v": version}
        return self.cache.set_if_newer(_key(kind, name),
                                       json.dumps(body, separators=(",", ":")).encode(),
                                       version, NEGATIVE_TTL if entry is None else ENTRY_TTL)

    def announce(self, kind: str, name: str) -> None:
        """Tell every render process that kind/name changed. Raises CacheUnavailable."""
        self.cache.publish(CHANGED, f"{kind}:{name}")


KNOWN_KINDS = ("user", "email")
# Not a username (a-z 0-9 _ -) nor a hex digest, so it cannot collide with a name.
COMPLETE = "!complete"


def _known_key(kind: str) -> str:
    return f"rm:known:{kind}"


class KnownNames:
    """The sets of names that exist (see the module docstring)."""

    def __init__(self, cache: Cache):
        self.cache = cache

    def exists(self, kind: str, name: str) -> bool | None:
        """True/False from a complete set; None when the set cannot say (not loaded yet).

        Raises CacheUnavailable when the cache is down."""
        held, complete = self.cache.has_members(_known_key(kind), name, COMPLETE)
        return held if complete else None

    def add(self, kind: str, *names: str) -> None:
        self.cache.add_members(_known_key(kind), *names)

    def remove(self, kind: str, *names: str) -> None:
        self.cache.remove_members(_known_key(kind), *names)

    def is_complete(self, kind: str) -> bool:
        return self.cache.has_members(_known_key(kind), COMPLETE)[0]

    def mark_complete(self, kind: str) -> None:
        self.cache.add_members(_known_key(kind), COMPLETE)


def is_missing(entry: dict | None) -> bool:
    return bool(entry) and entry.get("missing") is True
