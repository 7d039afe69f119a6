"""Garbage collection: bytes nothing references are removed after the grace period, never
the bytes of a photo, and orphans and temp files too."""
import hashlib
import os
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from prometheus_client import REGISTRY

from services.metadata import gc
from shared.blobstore import original_key, variant_key
from shared.blobstore.file import FileBlobStore


def removed(kind):
    return REGISTRY.get_sample_value("onepic_gc_removed_total", {"kind": kind}) or 0.0


def store(blobs, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    blobs.put(original_key(sha), data)
    blobs.put(variant_key(sha, "small", "jpeg"), b"v")
    return sha


def age(engine, sha, seconds):
    """Pretend the image was marked unreferenced `seconds` ago (it must have been marked)."""
    with engine.begin() as conn:
        marked = conn.execute(sa.text("SELECT unreferenced_at FROM images WHERE sha256 = :s"),
                              {"s": sha}).scalar_one()
        assert marked is not None
        conn.execute(sa.text("UPDATE images SET unreferenced_at = :t WHERE sha256 = :s"),
                     {"t": datetime.now(UTC) - timedelta(seconds=seconds), "s": sha})


def test_the_last_photo_deleted_removes_the_bytes_after_the_grace(api, client, engine, tmp_path):
    blobs = FileBlobStore(tmp_path / "blobs")
    alice, bob = api.signup("alice"), api.signup("bob")
    shared_sha, own_sha = store(blobs, b"shared"), store(blobs, b"alice only")
    pa = api.record(alice["id"], b"shared").get_json()
    api.record(bob["id"], b"shared")
    own = api.record(alice["id"], b"alice only").get_json()
    h = api.auth(alice["token"])
    for photo in (pa, own):
        assert client.delete(f"/v1/photos/{photo['id']}", headers=h).status_code == 204
    before = removed("original")
    assert gc.sweep(engine, blobs, grace=60)["original"] == 0   # marked, within the grace
    age(engine, own_sha, 120)
    got = gc.sweep(engine, blobs, grace=60)
    assert got["original"] == 1 and got["variant"] == 0 and got["image"] == 1
    assert not blobs.exists(original_key(own_sha))
    assert not blobs.exists(variant_key(own_sha, "small", "jpeg"))
    assert blobs.exists(original_key(shared_sha))  # bob's photo still uses it
    assert removed("original") == before + 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM images WHERE sha256 = :s"),
                            {"s": own_sha}).scalar_one() == 0


def test_a_re_upload_within_the_grace_keeps_the_bytes(api, client, engine, tmp_path):
    blobs = FileBlobStore(tmp_path / "blobs")
    alice = api.signup("alice")
    sha = store(blobs, b"again")
    first = api.record(alice["id"], b"again").get_json()
    client.delete(f"/v1/photos/{first['id']}", headers=api.auth(alice["token"]))
    gc.sweep(engine, blobs, grace=60)
    age(engine, sha, 120)
    api.record(alice["id"], b"again")   # the same bytes come back: unreferenced_at cleared
    assert gc.sweep(engine, blobs, grace=60)["original"] == 0
    assert blobs.exists(original_key(sha))


def test_orphans_and_stale_temp_files_go_fresh_ones_stay(engine, tmp_path):
    blobs = FileBlobStore(tmp_path / "blobs")
    old_sha, new_sha = store(blobs, b"failed upload"), store(blobs, b"upload in flight")
    stale = tmp_path / "blobs" / "originals" / ".tmp-dead.part"
    stale.write_bytes(b"half")
    past = time.time() - 7200
    for path in (tmp_path / "blobs").rglob("*"):
        if old_sha in str(path) or path == stale:
            os.utime(path, (past, past))
    got = gc.sweep(engine, blobs, grace=3600)
    assert got["orphan"] == 2 and got["temp"] == 1
    assert not blobs.exists(original_key(old_sha)) and not stale.exists()
    assert blobs.exists(original_key(new_sha))
