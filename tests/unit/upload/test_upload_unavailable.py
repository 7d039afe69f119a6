"""A backend that is down answers 503 {"error": {"code": "unavailable"}} with Retry-After
(shared/web.py), never a 500; refusals on admission store nothing."""
import hashlib
import io

from shared.blobstore import BlobStoreUnavailable, original_key
from shared.internal import MetadataUnavailable
from tests import imagefactory as f
from tests.unit.upload.fakes import TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def upload(client, data: bytes):
    return client.post("/v1/photos", data={"file": (io.BytesIO(data), "a.jpg")},
                       headers=AUTH, content_type="multipart/form-data")


def assert_unavailable(r):
    assert r.status_code == 503, r.data
    assert r.get_json()["error"]["code"] == "unavailable"
    assert int(r.headers["Retry-After"]) > 0


def fail(exc):
    def raiser(*_args, **_kw):
        raise exc("down (test)")
    return raiser


def test_blob_store_down_is_503(client, blobs, metadata, monkeypatch):
    monkeypatch.setattr(blobs, "put", fail(BlobStoreUnavailable))
    assert_unavailable(upload(client, f.solid_jpeg(8, 8)))
    assert metadata.photos == []


def test_blob_store_down_after_the_put_is_503_and_a_retry_succeeds(client, blobs, monkeypatch):
    # The check after the photo's commit (a collector may have taken the bytes) cannot be
    # made: the client is told to retry (metadata answers a retry of the same bytes with
    # the same photo), and the retry succeeds with the original stored.
    monkeypatch.setattr(blobs, "exists", fail(BlobStoreUnavailable))
    data = f.solid_jpeg(8, 8)
    assert_unavailable(upload(client, data))
    monkeypatch.undo()
    assert upload(client, data).status_code in (200, 201)
    assert list(blobs.objects) == [original_key(hashlib.sha256(data).hexdigest())]


def test_metadata_down_on_record_is_503_and_leaves_the_original(client, blobs, metadata,
                                                                 monkeypatch):
    monkeypatch.setattr(metadata, "create_photo", fail(MetadataUnavailable))
    data = f.solid_jpeg(8, 8)
    assert_unavailable(upload(client, data))
    # As the module docstring says: the content-addressed original stays; a retry reuses it.
    assert list(blobs.objects) == [original_key(hashlib.sha256(data).hexdigest())]
    monkeypatch.undo()
    assert upload(client, data).status_code == 201


def test_metadata_down_on_authenticate_is_503_before_reading(client, blobs, metadata,
                                                             monkeypatch):
    monkeypatch.setattr(metadata, "authenticate", fail(MetadataUnavailable))
    assert_unavailable(upload(client, f.solid_jpeg(8, 8)))
    assert blobs.objects == {}


def test_an_empty_file_is_422_empty_file_and_stores_nothing(client, blobs, metadata):
    for r in (upload(client, b""),
              client.post("/v1/photos", data=b"", headers=AUTH, content_type="image/jpeg")):
        assert r.status_code == 422
        assert r.get_json()["error"] == {"code": "empty_file",
                                         "message": "The uploaded file is empty."}
    assert blobs.objects == {} and metadata.photos == []


def test_a_bad_field_on_an_empty_file_is_still_the_field_error(client):
    # parse_fields runs before probe, as it did before the empty check moved into probe.
    r = client.post("/v1/photos?rating=zz", data=b"", headers=AUTH, content_type="image/jpeg")
    assert (r.status_code, r.get_json()["error"]["code"]) == (422, "invalid_rating")
