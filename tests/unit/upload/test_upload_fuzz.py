"""Fuzzing the whole upload request, through the real upload app: mutated images and noise as
multipart or raw bodies, under random filenames and Content-Types, and malformed multipart
(broken boundaries, missing or doubled parts, odd headers).

Whatever arrives, the answer is never a 5xx; a refusal is a JSON error and stores and records
nothing; an acceptance stores exactly one original and records exactly one photo.
Bounded (a few seconds); a failure prints the input to replay it.
"""
import io

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from services.upload.app import create_app
from shared.config import Settings
from tests.hostile.mutate import any_body
from tests.unit.upload.fakes import TOKEN, MemoryBlobs, RecordingMetadata

FUZZ = settings(max_examples=300, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CTYPES = st.sampled_from(["image/jpeg", "image/png", "image/svg+xml", "text/html",
                          "application/octet-stream", "application/pdf", "", "image/*",
                          "multipart/form-data"])
NAMES = st.one_of(st.sampled_from(["a.jpg", "x.svg", "../../etc/passwd", "a.html", "", "é.png"]),
                  st.text(max_size=40))
FIELD = st.sampled_from(["file", "alt", "rating", "activate", "File", "", "file[]"])


def _setup():
    blobs, metadata = MemoryBlobs(), RecordingMetadata()
    settings_ = Settings(max_upload_bytes=1024, max_pixels=4_000_000, max_frames=10)
    client = create_app(settings_, blobs=blobs, metadata=metadata).test_client()
    return client, blobs, metadata


def _check(r, blobs, metadata):
    event(f"HTTP {r.status_code}")
    assert r.status_code < 500, r.get_data()[:300]
    if r.status_code >= 400:
        assert set(r.json) == {"error"} and r.json["error"]["code"] and r.json["error"]["message"]
        assert blobs.objects == {} and metadata.photos == [], "a refusal left something behind"
    else:
        assert r.status_code == 201 and len(blobs.objects) == 1 and len(metadata.photos) == 1


@st.composite
def multipart(draw) -> tuple[bytes, str]:
    """A multipart body built part by part, with the structure itself open to damage."""
    boundary = draw(st.sampled_from(["b0undary", "x" * 70, "a b", "--", ""]))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name, filename = draw(FIELD), draw(NAMES)
        disposition = draw(st.sampled_from([
            f'form-data; name="{name}"; filename="{filename}"', f'form-data; name="{name}"',
            f"form-data; name={name}", "attachment", ""]))
        head = f"Content-Disposition: {disposition}\r\nContent-Type: {draw(CTYPES)}\r\n"
        parts.append(f"--{boundary}\r\n{head}\r\n".encode() + draw(any_body()) + b"\r\n")
    end = draw(st.sampled_from([f"--{boundary}--\r\n".encode(), b"", f"--{boundary}".encode()]))
    body = b"".join(parts) + end
    if draw(st.booleans()):  # damage the structure itself
        at = draw(st.integers(0, max(0, len(body) - 1)))
        body = body[:at] + draw(st.binary(max_size=16)) + body[at + 1:]
    ctype = draw(st.sampled_from([f"multipart/form-data; boundary={boundary}",
                                  f'multipart/form-data; boundary="{boundary}"',
                                  "multipart/form-data", "multipart/mixed; boundary=b0undary"]))
    return body, ctype


@FUZZ
@given(data=any_body(), filename=NAMES, ctype=CTYPES, fields=st.dictionaries(
    st.sampled_from(["alt", "rating", "activate"]), st.text(max_size=20), max_size=3))
def test_any_file_in_a_well_formed_multipart_upload(data, filename, ctype, fields):
    client, blobs, metadata = _setup()
    r = client.post("/v1/photos", headers=AUTH,
                    data={"file": (io.BytesIO(data), filename, ctype), **fields})
    _check(r, blobs, metadata)


@FUZZ
@given(data=any_body(), ctype=CTYPES)
def test_any_raw_body(data, ctype):
    client, blobs, metadata = _setup()
    r = client.post("/v1/photos", headers={**AUTH, "Content-Type": ctype}, data=data)
    _check(r, blobs, metadata)


@FUZZ
@given(multipart())
def test_malformed_multipart(body_and_type):
    body, ctype = body_and_type
    client, blobs, metadata = _setup()
    r = client.post("/v1/photos", headers={**AUTH, "Content-Type": ctype}, data=body)
    _check(r, blobs, metadata)
