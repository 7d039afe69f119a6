"""The byte cap stops reading the body: an oversized upload is refused with 413 after at most
the cap's worth of bytes was pulled from the client — never buffered whole — for raw and
multipart bodies, with a Content-Length and chunked."""
import io
import json

import pytest
from werkzeug.test import EnvironBuilder

from tests import imagefactory as f
from tests.unit.upload.fakes import CAP, TOKEN, CountingStream

AUTH = {"Authorization": f"Bearer {TOKEN}"}
BOUNDARY = "xYzZY"
MULTIPART_HEAD = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                  f"filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
MULTIPART_CTYPE = f"multipart/form-data; boundary={BOUNDARY}"


def call(app, body: CountingStream, ctype: str, *, length: int | None, headers=AUTH):
    """Send `body` straight through the WSGI interface, as gunicorn does: with a
    Content-Length, or chunked (no length, `wsgi.input_terminated` set)."""
    environ = EnvironBuilder(method="POST", path="/v1/photos", headers=headers,
                             content_type=ctype).get_environ()
    environ["wsgi.input"] = body
    environ["wsgi.input_terminated"] = True
    environ.pop("CONTENT_LENGTH", None)
    if length is None:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(length)
    status = []
    out = b"".join(app(environ, lambda s, h, exc=None: status.append(int(s.split()[0]))))
    return status[0], json.loads(out)


@pytest.mark.parametrize("ctype", ["image/jpeg", MULTIPART_CTYPE])
def test_declared_length_over_the_cap_is_refused_before_reading(app, blobs, metadata, ctype):
    body = CountingStream(length=10 * CAP)
    status, answer = call(app, body, ctype, length=10 * CAP)
    assert (status, answer["error"]["code"]) == (413, "payload_too_large")
    assert body.read_bytes == 0
    assert blobs.objects == {} and metadata.photos == []


@pytest.mark.parametrize("ctype, allowance", [
    ("image/jpeg", 1),                      # raw: the cap plus the one byte that crosses it
    (MULTIPART_CTYPE, 64 * 1024 + 1),        # multipart: plus room for boundaries and fields
])
def test_endless_chunked_body_stops_at_the_cap(app, blobs, metadata, ctype, allowance):
    prefix = MULTIPART_HEAD if ctype == MULTIPART_CTYPE else b"\xff\xd8\xff"
    body = CountingStream(prefix=prefix)  # never ends: only the cap can stop the read
    status, answer = call(app, body, ctype, length=None)
    assert (status, answer["error"]["code"]) == (413, "payload_too_large")
    assert CAP < body.read_bytes <= CAP + allowance
    assert blobs.objects == {} and metadata.photos == []


def _exactly(size: int) -> bytes:
    """A valid JPEG padded to `size` bytes (decoders ignore bytes after the end marker)."""
    jpeg = f.solid_jpeg(40, 30)
    return jpeg + b"\0" * (size - len(jpeg))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_of_exactly_the_cap_is_accepted(app, blobs, metadata, chunked):
    data = _exactly(CAP)
    body = CountingStream(prefix=data, length=0)
    status, answer = call(app, body, "image/jpeg", length=None if chunked else CAP)
    assert status == 201, answer
    assert metadata.photos[0]["bytes"] == CAP and len(blobs.objects) == 1


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_one_byte_over_the_cap_is_refused(app, blobs, chunked):
    data = _exactly(CAP + 1)
    body = CountingStream(prefix=data, length=0)
    status, _ = call(app, body, "image/jpeg", length=None if chunked else CAP + 1)
    assert status == 413 and blobs.objects == {}


def test_a_stranger_is_refused_before_the_body_is_read(app):
    body = CountingStream(length=CAP)
    status, answer = call(app, body, "image/jpeg", length=CAP, headers={})
    assert (status, answer["error"]["code"]) == (401, "unauthorized")
    assert body.read_bytes == 0


def test_an_unsupported_body_type_is_refused_before_reading(app):
    body = CountingStream(prefix=b"<html>", length=CAP)
    status, answer = call(app, body, "text/html", length=CAP)
    assert (status, answer["error"]["code"]) == (415, "unsupported_media_type")
    assert body.read_bytes == 0


def test_too_many_parts_is_413_and_a_bad_field_422_with_nothing_stored(client, blobs, metadata):
    jpeg = f.solid_jpeg(20, 20)
    many = {"file": (io.BytesIO(jpeg), "a.jpg"), **{f"f{i}": "v" for i in range(40)}}
    r = client.post("/v1/photos", data=many, headers=AUTH)
    assert (r.status_code, r.json["error"]["code"]) == (413, "payload_too_large")
    long_alt = {"file": (io.BytesIO(jpeg), "a.jpg"), "alt": "x" * 1001}
    r = client.post("/v1/photos", data=long_alt, headers=AUTH)
    assert (r.status_code, r.json["error"]["code"]) == (422, "invalid_alt")
    assert blobs.objects == {} and metadata.photos == []
