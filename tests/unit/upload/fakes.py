"""Recorders standing in for the upload service's collaborators, and a request body that
counts what the server read."""
from __future__ import annotations

import io

from shared.blobstore import BlobNotFound, BlobStore

TOKEN = "good-token"
CAP = 64 * 1024


class MemoryBlobs(BlobStore):
    def __init__(self):
        self.objects: dict[str, bytes] = {}

    def put(self, key, data, content_type="application/octet-stream"):
        self.objects[key] = bytes(data)

    def get(self, key):
        try:
            return self.objects[key]
        except KeyError:
            raise BlobNotFound(key) from None

    def exists(self, key):
        return key in self.objects

    def delete(self, key):
        self.objects.pop(key, None)

    def ping(self):
        pass


class RecordingMetadata:
    def __init__(self):
        self.photos: list[dict] = []

    def authenticate(self, token):
        return {"user_id": 7} if token == TOKEN else None

    def create_photo(self, payload):
        self.photos.append(payload)
        return 201, {"id": len(self.photos), **{k: payload[k] for k in ("sha256", "format")}}

    def ping(self):
        pass


class CountingStream(io.RawIOBase):
    """A request body that never ends (or ends after `prefix` + `length` bytes) and counts how
    many bytes the server pulled from it."""

    def __init__(self, prefix: bytes = b"", length: int | None = None, fill: bytes = b"\0"):
        self.prefix, self.length, self.fill, self.read_bytes = prefix, length, fill, 0

    def readable(self):
        return True

    def readinto(self, b):
        n = len(b)
        if self.length is not None:
            n = min(n, len(self.prefix) + self.length - self.read_bytes)
        if n <= 0:
            return 0
        head = self.prefix[self.read_bytes:self.read_bytes + n]
        chunk = head + self.fill * (n - len(head))
        b[:n] = chunk
        self.read_bytes += n
        return n
