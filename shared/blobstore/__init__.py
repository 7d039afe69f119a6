"""Where bytes live: originals and variants, addressed by key.

Keys are content-addressed (`originals/<sha256>`, `variants/<sha256>/<name>.<fmt>`), so a
put of an existing key is harmless and every object is immutable. One module per backend;
nothing outside it imports its SDK.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from urllib.parse import urlsplit

# A content address: 64 lower-case hex digits. Use with fullmatch (`$` in a pattern passed
# to match also accepts a trailing newline).
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BlobNotFound(KeyError):
    """The key does not exist in the store."""


class BlobStoreUnavailable(RuntimeError):
    """The store could not be reached or refused the operation."""


class BlobStore(ABC):
    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Store `data` under `key` durably (visible to every reader when this returns)."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes under `key`; raises BlobNotFound."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove `key`; deleting a missing key is not an error."""

    @abstractmethod
    def ping(self) -> None:
        """Raise BlobStoreUnavailable if the store cannot serve requests."""

    def list(self, prefix: str) -> Iterator[tuple[str, float]]:
        """(key, last-modified as a Unix time) of every object whose key starts with
        `prefix`; for garbage collection (services/metadata/gc.py)."""
        raise NotImplementedError

    def sweep_temp(self, older_than: float) -> int:
        """Remove temporary files of writers killed mid-write, last touched before the Unix
        time `older_than`; how many. Stores without such files return 0 (S3 drops the
        parts of an unfinished upload itself, by the bucket's lifecycle rule)."""
        return 0

    def presigned_post(self, key: str, content_type: str, max_bytes: int,
                       expires_in: int) -> dict | None:
        """{"url", "fields"} of a browser form POST that stores one object under `key`, of
        exactly `content_type` and 1 to `max_bytes` bytes, for `expires_in` seconds; the
        store itself refuses anything else. None when the store cannot take uploads from
        clients (files: the upload service's own signed endpoint stands in)."""
        return None


def original_key(sha256: str) -> str:
    return f"originals/{sha256}"


def variant_key(sha256: str, name: str, fmt: str) -> str:
    return f"variants/{sha256}/{name}.{fmt}"


def create_blob_store(url: str) -> BlobStore:
    scheme = urlsplit(url).scheme
    if scheme == "file":
        from .file import FileBlobStore
        return FileBlobStore.from_url(url)
    if scheme == "s3":
        from .s3 import S3BlobStore
        return S3BlobStore.from_url(url)
    raise ValueError(f"BLOB_URL: unsupported scheme {scheme!r} (use file:// or s3://)")
