"""Presigned direct uploads straight to a real object store (SeaweedFS): the policy the
upload service signs is what the store enforces — declared size (content-length-range),
Content-Type, key, expiry — and completion moves the object to its content address."""
import time
from datetime import UTC, datetime

import pytest

from shared.blobstore.s3 import S3BlobStore
from tests.direct_uploads import System, cheap_kdf  # noqa: F401 - fixture
from tests.fakeclock import Clock
from tests.imagefactory import solid_jpeg

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bucket_url(seaweedfs) -> str:
    """A bucket of these tests' own, so the blob store tests list only their own keys."""
    return (f"s3://direct-uploads?endpoint_url={seaweedfs.endpoint}&region=us-east-1"
            "&create_bucket=true")


@pytest.fixture
def system(tmp_path, bucket_url, s3_credentials):
    s = System(tmp_path, Clock(datetime.now(UTC)), blobs=S3BlobStore.from_url(bucket_url))
    yield s
    s.engine.dispose()


def test_the_client_posts_to_the_store_and_completion_records_the_photo(system, seaweedfs):
    auth = system.sign_up()
    data = solid_jpeg(80, 60)
    ticket = system.ticket(auth, len(data)).get_json()
    assert ticket["url"] == f"{seaweedfs.endpoint}/direct-uploads"
    r = system.send(ticket, data)
    assert r.status_code == 204, r.text
    assert system.staged(ticket)
    r = system.complete(auth, ticket["id"])
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert (photo["width"], photo["height"]) == (80, 60)
    assert system.blobs.get(f"originals/{photo['sha256']}") == data
    assert not system.staged(ticket)


def test_the_store_refuses_more_than_the_declared_size(system):
    auth = system.sign_up()
    data = solid_jpeg(80, 60)
    ticket = system.ticket(auth, len(data) - 1).get_json()
    r = system.send(ticket, data)
    assert r.status_code == 400 and "EntityTooLarge" in r.text
    assert not system.staged(ticket)
    assert system.complete(auth, ticket["id"]).status_code == 409  # nothing arrived


@pytest.mark.parametrize("override", [{"Content-Type": "text/html"},
                                      {"key": "originals/" + "0" * 64}])
def test_the_store_refuses_a_form_changed_after_signing(system, override):
    auth = system.sign_up()
    data = solid_jpeg(16, 16)
    ticket = system.ticket(auth, len(data)).get_json()
    r = system.send(ticket, data, **override)
    assert r.status_code == 403 and "Policy" in r.text
    assert not system.blobs.exists(override.get("key", ticket["fields"]["key"]))


def test_the_store_refuses_an_expired_form(tmp_path, bucket_url, s3_credentials):
    s = System(tmp_path, Clock(datetime.now(UTC)), blobs=S3BlobStore.from_url(bucket_url), ttl=1)
    auth = s.sign_up()
    data = solid_jpeg(16, 16)
    ticket = s.ticket(auth, len(data)).get_json()
    time.sleep(2.5)
    r = s.send(ticket, data)
    assert r.status_code == 403 and "expired" in r.text
    assert not s.staged(ticket)
    s.engine.dispose()


def test_a_non_image_sent_to_the_store_is_deleted_at_completion(system):
    auth = system.sign_up()
    ticket = system.ticket(auth, 64).get_json()
    assert system.send(ticket, b"GIF89a but not really").status_code == 204
    assert system.staged(ticket)
    assert system.complete(auth, ticket["id"]).status_code in (415, 422)
    assert not system.staged(ticket)
