"""shared/blobstore/s3.py against a real S3 server: SeaweedFS, started by the `seaweedfs`
fixture with the module `make up` uses (deploy/local/seaweedfs.py)."""
import time

import pytest
import requests

from shared.blobstore import BlobNotFound, BlobStoreUnavailable, create_blob_store, variant_key
from shared.blobstore.s3 import S3BlobStore

pytestmark = pytest.mark.integration


@pytest.fixture
def store(seaweedfs, s3_credentials):
    return create_blob_store(seaweedfs.blob_url)


def test_put_get_exists_delete(store, seaweedfs):
    assert isinstance(store, S3BlobStore)
    store.ping()
    key = variant_key("ef" * 32, "small", "webp")
    assert not store.exists(key)
    store.put(key, b"\x00webp\xff" * 1000, "image/webp")
    assert store.exists(key)
    assert store.get(key) == b"\x00webp\xff" * 1000
    # The content type reaches the store (it is what S3/CDN would serve).
    head = seaweedfs.client().head_object(Bucket=store.bucket, Key=key)
    assert head["ContentType"] == "image/webp"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting a missing key is fine


def test_missing_key_raises_blob_not_found(store):
    with pytest.raises(BlobNotFound):
        store.get("originals/does-not-exist")


def test_a_second_bucket_is_created_and_creating_it_again_is_harmless(seaweedfs, s3_credentials):
    # A second bucket is what failed with "no writable volumes" before the growth settings.
    url = f"s3://second-bucket?endpoint_url={seaweedfs.endpoint}&region=us-east-1"
    first = S3BlobStore.from_url(url + "&create_bucket=true")
    first.put("k", b"v")
    again = S3BlobStore.from_url(url + "&create_bucket=true")
    assert again.get("k") == b"v"


def test_missing_bucket_fails_ping(seaweedfs, s3_credentials):
    store = S3BlobStore.from_url(f"s3://absent-bucket?endpoint_url={seaweedfs.endpoint}"
                                 "&region=us-east-1")
    with pytest.raises(BlobStoreUnavailable):
        store.ping()


def test_wrong_credentials_are_refused(seaweedfs, s3_credentials, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    store = create_blob_store(seaweedfs.blob_url)
    with pytest.raises(BlobStoreUnavailable):
        store.put("k", b"v")


def test_anonymous_requests_are_refused(seaweedfs):
    # With no identity configured SeaweedFS would accept these: the generated config is
    # what keeps the bucket private.
    base = f"{seaweedfs.endpoint}/{seaweedfs.bucket}"
    assert requests.put(f"{base}/anonymous", data=b"x", timeout=5).status_code == 403
    seaweedfs.client().put_object(Bucket=seaweedfs.bucket, Key="private", Body=b"x")
    assert requests.get(f"{base}/private", timeout=5).status_code == 403


def test_the_filer_port_serves_no_objects(seaweedfs):
    """The filer's HTTP API (S3 port + 3) has no S3 credentials: with it on, anyone on the
    machine, or any web page through a form POST, could list, read and overwrite every
    object. The launcher turns it off (-filer.disableHttp); S3 keeps working."""
    filer = f"http://127.0.0.1:{seaweedfs.ports[3]}/buckets/{seaweedfs.bucket}"
    s3 = seaweedfs.client()
    s3.put_object(Bucket=seaweedfs.bucket, Key="filer-probe/kept", Body=b"real")
    assert requests.get(f"{filer}/filer-probe/kept", timeout=5).status_code == 404
    assert requests.get(f"{filer}/", headers={"Accept": "application/json"},
                        timeout=5).status_code == 404
    forged = requests.post(f"{filer}/filer-probe/kept", files={"file": ("kept", b"forged")},
                           headers={"Origin": "http://elsewhere.example"}, timeout=5)
    assert forged.status_code == 404
    assert s3.get_object(Bucket=seaweedfs.bucket, Key="filer-probe/kept")["Body"].read() == b"real"


def test_cors_lets_only_the_web_origin_post(seaweedfs):
    def preflight(origin):
        return requests.options(f"{seaweedfs.endpoint}/{seaweedfs.bucket}", timeout=5, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"})

    (web_origin,) = seaweedfs.allowed_origins
    ok = preflight(web_origin)
    assert ok.headers.get("Access-Control-Allow-Origin") in (web_origin, "*")
    # Another origin gets no permission: SeaweedFS closes the connection without answering.
    try:
        allowed = preflight("http://elsewhere.example").headers.get("Access-Control-Allow-Origin")
    except requests.ConnectionError:
        allowed = None
    assert allowed not in ("*", "http://elsewhere.example")


def test_unreachable_endpoint_is_unavailable_fast(s3_credentials, closed_port):
    store = S3BlobStore.from_url(f"s3://b?endpoint_url=http://127.0.0.1:{closed_port}&region=us-east-1")
    started = time.monotonic()
    for call in (lambda: store.get("k"), lambda: store.put("k", b"v"), store.ping,
                 lambda: store.exists("k")):
        with pytest.raises(BlobStoreUnavailable):
            call()
    assert time.monotonic() - started < 10


def test_unknown_option_is_refused():
    with pytest.raises(ValueError):
        S3BlobStore.from_url("s3://b?endpoint=http://x")


def test_list_gives_keys_under_a_prefix_with_their_times(store):
    import time

    before = time.time() - 5
    store.put("originals/" + "a" * 64, b"1")
    store.put("variants/" + "a" * 64 + "/small.jpeg", b"2")
    listed = dict(store.list("originals/"))
    assert list(listed) == ["originals/" + "a" * 64]
    assert before < listed["originals/" + "a" * 64] < time.time() + 5
    assert store.sweep_temp(time.time()) == 0
