import time

import boto3
import pytest

from shared.blobstore import BlobNotFound, BlobStoreUnavailable, create_blob_store, variant_key
from shared.blobstore.s3 import S3BlobStore

pytestmark = pytest.mark.integration


@pytest.fixture
def store(moto_server, aws_test_credentials, run_id):
    return create_blob_store(
        f"s3://onepic-{run_id}?endpoint_url={moto_server}&region=eu-west-1&create_bucket=true")


def test_put_get_exists_delete(store, moto_server):
    assert isinstance(store, S3BlobStore)
    store.ping()
    key = variant_key("ef" * 32, "small", "webp")
    assert not store.exists(key)
    store.put(key, b"\x00webp\xff" * 1000, "image/webp")
    assert store.exists(key)
    assert store.get(key) == b"\x00webp\xff" * 1000
    # The content type reaches the store (it is what S3/CDN would serve).
    raw = boto3.client("s3", endpoint_url=moto_server, region_name="eu-west-1")
    head = raw.head_object(Bucket=store.bucket, Key=key)
    assert head["ContentType"] == "image/webp"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting a missing key is fine


def test_missing_key_raises_blob_not_found(store):
    with pytest.raises(BlobNotFound):
        store.get("originals/does-not-exist")


def test_create_bucket_is_idempotent(store, moto_server):
    again = S3BlobStore.from_url(
        f"s3://{store.bucket}?endpoint_url={moto_server}&region=eu-west-1&create_bucket=true")
    again.put("k", b"v")
    assert store.get("k") == b"v"


def test_missing_bucket_fails_ping(moto_server, aws_test_credentials, run_id):
    store = S3BlobStore.from_url(f"s3://absent-{run_id}?endpoint_url={moto_server}&region=eu-west-1")
    with pytest.raises(BlobStoreUnavailable):
        store.ping()


def test_unreachable_endpoint_is_unavailable_fast(aws_test_credentials, closed_port):
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
