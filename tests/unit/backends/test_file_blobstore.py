import os
import threading

import pytest

from shared.blobstore import (
    BlobNotFound,
    BlobStoreUnavailable,
    create_blob_store,
    original_key,
    variant_key,
)
from shared.blobstore.file import FileBlobStore


@pytest.fixture
def store(tmp_path):
    return FileBlobStore(tmp_path / "blobs")


def test_put_get_exists_delete_round_trip(store):
    key = variant_key("ab" * 32, "small", "webp")
    assert not store.exists(key)
    store.put(key, b"\x00bytes\xff", "image/webp")
    assert store.exists(key)
    assert store.get(key) == b"\x00bytes\xff"
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.get(key)


def test_put_overwrites_and_leaves_no_temp_files(store):
    key = original_key("cd" * 32)
    store.put(key, b"first")
    store.put(key, b"second")
    assert store.get(key) == b"second"
    assert os.listdir(store.root / "originals") == ["cd" * 32]


def test_missing_key_raises_blob_not_found_and_delete_is_quiet(store):
    with pytest.raises(BlobNotFound):
        store.get("originals/nothing")
    store.delete("originals/nothing")
    # A directory is not a blob either.
    store.put("originals/x", b"1")
    with pytest.raises(BlobNotFound):
        store.get("originals")


@pytest.mark.parametrize("key", ["../escape", "a/../../escape", "/etc/passwd", "a//b", "a/./b",
                                 "", "sp ace", "a\\b", "emoji/\u00e9", "a/b/", ".",
                                 "originals/abc\n", "a\n/b"])
def test_invalid_keys_are_refused_and_nothing_is_written(store, tmp_path, key):
    with pytest.raises(ValueError):
        store.put(key, b"x")
    with pytest.raises(ValueError):
        store.get(key)
    assert not (tmp_path / "escape").exists()
    assert list(store.root.iterdir()) == []


def test_from_url_absolute_and_relative(tmp_path, monkeypatch):
    absolute = FileBlobStore.from_url(f"file://{tmp_path}/abs")
    assert absolute.root == (tmp_path / "abs").resolve() and absolute.root.is_dir()
    monkeypatch.chdir(tmp_path)
    relative = create_blob_store("file://rel/blobs")
    assert isinstance(relative, FileBlobStore)
    assert relative.root == (tmp_path / "rel" / "blobs").resolve()
    relative.put("k", b"v")
    assert (tmp_path / "rel" / "blobs" / "k").read_bytes() == b"v"


def test_ping_fails_when_root_is_gone(store):
    store.ping()
    os.rmdir(store.root)
    with pytest.raises(BlobStoreUnavailable):
        store.ping()


def test_construction_on_a_file_raises_unavailable(tmp_path):
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(BlobStoreUnavailable):
        FileBlobStore(tmp_path / "file" / "blobs")


def test_concurrent_writers_never_expose_partial_content(store):
    key = "originals/race"
    payloads = [bytes([i]) * 200_000 for i in range(8)]
    store.put(key, payloads[0])
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            seen.append(store.get(key))

    t = threading.Thread(target=reader)
    t.start()
    writers = [threading.Thread(target=store.put, args=(key, p)) for p in payloads]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    t.join()
    assert seen and all(s in payloads for s in seen)
    assert store.get(key) in payloads
    assert sorted(os.listdir(store.root / "originals")) == ["race"]


def test_list_skips_temp_files_and_sweep_temp_removes_only_stale_ones(store):
    import os
    import time

    store.put("originals/" + "b" * 64, b"1")
    fresh = store.root / "originals" / ".tmp-fresh.part"
    stale = store.root / "originals" / ".tmp-stale.part"
    fresh.write_bytes(b"x")
    stale.write_bytes(b"x")
    os.utime(stale, (time.time() - 100, time.time() - 100))
    assert [k for k, _ in store.list("originals/")] == ["originals/" + "b" * 64]
    assert store.sweep_temp(time.time() - 50) == 1
    assert fresh.exists() and not stale.exists()
