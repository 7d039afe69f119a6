"""Garbage collection on PostgreSQL against a concurrent re-upload of the same bytes: the
collector waits for the row the upload holds, re-checks, and removes nothing."""
import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.metadata import gc
from services.metadata.photos import store as photos
from shared.blobstore import original_key
from shared.blobstore.file import FileBlobStore

pytestmark = pytest.mark.integration


def test_a_re_upload_racing_the_collector_keeps_its_bytes(api, client, pg_engine, tmp_path):
    blobs = FileBlobStore(tmp_path / "blobs")
    data = b"the same bytes"
    sha = hashlib.sha256(data).hexdigest()
    blobs.put(original_key(sha), data)
    user = api.signup("gcrace")
    first = api.record(user["id"], data).get_json()
    client.delete(f"/v1/photos/{first['id']}", headers=api.auth(user["token"]))
    gc.mark(pg_engine, datetime.now(UTC))
    with pg_engine.begin() as conn:   # unreferenced for two hours: collectable
        conn.execute(sa.text("UPDATE images SET unreferenced_at = :t WHERE sha256 = :s"),
                     {"t": datetime.now(UTC) - timedelta(hours=2), "s": sha})
    cutoff = datetime.now(UTC) - timedelta(hours=1)

    upload = pg_engine.connect()
    tx = upload.begin()
    photos.record_photo(upload, {"user_id": user["id"], "sha256": sha, "format": "jpeg",
                                 "width": 640, "height": 480, "bytes": len(data),
                                 "alpha": False, "frames": 1, "alt": None, "rating": "g",
                                 "activate": False})
    result = {}
    collector = threading.Thread(target=lambda: result.update(
        gc.collect(pg_engine, blobs, sha, cutoff) or {"nothing": 1}))
    collector.start()
    collector.join(1.0)
    assert collector.is_alive(), "the collector must wait for the upload's row lock"
    tx.commit()
    upload.close()
    collector.join(10)
    assert result == {"nothing": 1}
    assert blobs.exists(original_key(sha))
    with pg_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT unreferenced_at FROM images WHERE sha256 = :s"),
                            {"s": sha}).scalar_one() is None
