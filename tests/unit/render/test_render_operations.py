"""Operations endpoints, methods, and how render degrades when a dependency fails."""
import threading

import pytest

from shared.blobstore import BlobStoreUnavailable
from shared.cache import CacheUnavailable
from tests import imagefactory as f

RED = (200, 40, 40)


def down(*a, **k):
    raise CacheUnavailable("redis is down")


def blobs_down(*a, **k):
    raise BlobStoreUnavailable("s3 is down")


@pytest.fixture
def alice(world):
    world.set_user("alice", world.add_photo("p1", f.solid_jpeg(200, 200, RED)))
    return world


def test_healthz_and_readyz(alice):
    assert alice.get("/healthz").get_json() == {"status": "ok", "service": "render"}
    r = alice.get("/readyz")
    assert r.status_code == 200 and r.get_json()["failed"] == []


def test_readyz_stays_ready_and_lists_what_is_degraded(alice, monkeypatch):
    # Guarantee 3: render serves without Redis (slower) and from its byte cache without the
    # blob store, so neither may take every render pod out of the Service.
    monkeypatch.setattr(alice.cache, "ping", down)
    monkeypatch.setattr(alice.blobs, "ping", blobs_down)
    r = alice.get("/readyz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "degraded" and body["failed"] == []
    assert {d["dependency"] for d in body["degraded"]} == {"cache", "blobstore"}


def test_metrics_count_requests_by_route_template(alice):
    alice.get("/alice?s=33")
    alice.get("/alice?s=33")
    alice.get("/i/none")
    text = alice.get("/metrics").data.decode()
    assert 'route="/<username>",service="render",status="200"' in text
    assert 'route="/i/<photo_id>",service="render",status="404"' in text
    assert 'onepic_render_cache_total{result="hit"}' in text
    assert 'onepic_http_request_duration_seconds_bucket' in text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(alice, method):
    r = alice.client.open("/alice", method=method)
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert r.headers["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("path", ["/", "/alice/extra", "/avatar/", "/avatar/a/b", "/i/x/y"])
def test_unknown_paths_are_404_json(alice, path):
    r = alice.get(path)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_cache_down_still_serves_through_metadata(alice, monkeypatch):
    monkeypatch.setattr(alice.cache, "get", down)
    monkeypatch.setattr(alice.cache, "set", down)
    r = alice.get("/alice?s=24")
    assert r.status_code == 200 and f.close(f.mean_colour(r.data), RED)
    assert ("user", "alice") in alice.metadata.calls


def test_cache_and_metadata_down_is_503(alice, monkeypatch):
    monkeypatch.setattr(alice.cache, "get", down)
    alice.metadata.down = True
    r = alice.get("/alice")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"
    assert r.headers["Retry-After"]


def test_known_avatars_keep_serving_while_metadata_is_down(alice):
    alice.metadata.down = True
    assert alice.get("/alice").status_code == 200


def test_blob_store_down_is_503(alice, monkeypatch):
    monkeypatch.setattr(alice.blobs, "get", blobs_down)
    r = alice.get("/alice?s=31")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "unavailable"


def test_transform_flood_is_bounded_with_503_and_retry_after(make_world):
    world = make_world(render_concurrency=1)
    world.set_user("alice", world.add_photo("p1", f.solid_jpeg(200, 200, RED)))
    world.app.pipeline.slot_wait = 0.05
    assert world.app.pipeline.slots.acquire()       # the only slot is busy
    try:
        r = world.get("/alice?s=45")
        assert r.status_code == 503 and r.get_json()["error"]["code"] == "busy"
        assert r.headers["Retry-After"] == "1"
    finally:
        world.app.pipeline.slots.release()
    assert world.get("/alice?s=45").status_code == 200


def test_concurrent_distinct_sizes_all_succeed(make_world):
    world = make_world(render_concurrency=2)
    world.set_user("alice", world.add_photo("p1", f.solid_jpeg(300, 300, RED)))
    results = {}

    def fetch(s):
        r = world.get(f"/alice?s={s}")
        results[s] = (r.status_code, f.decode(r.data).width)

    threads = [threading.Thread(target=fetch, args=(s,)) for s in range(20, 36)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == {s: (200, s) for s in range(20, 36)}


def test_byte_cache_is_bounded_by_settings(make_world):
    world = make_world(render_cache_bytes=20_000)
    world.set_user("alice", world.add_photo("p1", f.solid_jpeg(300, 300, RED)))
    for s in range(40, 90, 5):
        assert world.get(f"/alice.png?s={s}").status_code == 200
    assert 0 < world.app.bytes.size <= 20_000
