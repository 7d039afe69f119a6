"""An unknown name under a cache-busting flood (issue 13): with the filter of known names
complete, render answers from one cache call (the entry and the filter together), asks
metadata nothing, and answers the same default for the same digest (the drawing's
determinism is tests/unit/avatars'); a name the filter holds but the cache lost is still asked
of metadata."""
from __future__ import annotations

import hashlib

from shared.readmodel import KnownNames
from tests import imagefactory as f


class Counting:
    """Wraps the world's cache, counting the calls render makes on it."""

    def __init__(self, cache):
        self._cache, self.calls = cache, []

    def __getattr__(self, name):
        attr = getattr(self._cache, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls.append(name)
            return attr(*args, **kwargs)
        return call


def counting(world) -> Counting:
    spy = Counting(world.cache)
    world.app.resolver.read_model.cache = spy
    return spy


def test_an_unknown_digest_costs_one_cache_call_and_no_metadata_call(world):
    KnownNames(world.cache).mark_complete("email")
    spy = counting(world)
    digest = hashlib.md5(b"nobody@example.com").hexdigest()
    first = world.get(f"/avatar/{digest}?s=80&d=identicon")
    assert first.status_code == 200
    assert spy.calls == ["get_and_has_members"]
    assert world.metadata.calls == []
    world.app.resolver.changed(None)   # past the micro-cache: asked again, same picture
    again = world.get(f"/avatar/{digest}?s=80&d=identicon")
    assert spy.calls == ["get_and_has_members"] * 2
    assert again.headers["ETag"] == first.headers["ETag"] and again.data == first.data
    other = world.get(f"/avatar/{hashlib.md5(b'else@example.com').hexdigest()}?s=80&d=identicon")
    assert other.headers["ETag"] != first.headers["ETag"]
    assert world.metadata.calls == []


def test_a_known_digest_missing_from_the_cache_is_asked_of_metadata(world):
    digest = hashlib.md5(b"alice@example.com").hexdigest()
    view = world.add_photo("p1", f.solid_jpeg(64, 64, (200, 0, 0)))
    world.set_email(digest, "alice", view)
    known = KnownNames(world.cache)
    known.add("email", digest)
    known.mark_complete("email")
    world.cache.delete(f"rm:email:{digest}")   # a flushed or expired entry
    world.app.resolver.changed(None)
    r = world.get(f"/avatar/{digest}?s=40")
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    assert world.metadata.calls == [("email", digest)]


def test_before_the_filter_is_complete_an_unknown_digest_is_asked_of_metadata(world):
    digest = hashlib.md5(b"nobody@example.com").hexdigest()
    assert world.get(f"/avatar/{digest}?d=404").status_code == 404
    assert world.metadata.calls == [("email", digest)]
