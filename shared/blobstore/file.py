"""Blobs as files under one root directory (standalone and single-host deployments)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import BlobNotFound, BlobStore, BlobStoreUnavailable

# Keys come from our own code (content hashes), but a path-traversal bug elsewhere must not
# become a write outside the root, so they are checked here at the filesystem boundary.
# fullmatch, not match with ^…$: "$" also matches before a trailing newline.
_KEY_RE = re.compile(r"[A-Za-z0-9._/-]+")


class FileBlobStore(BlobStore):
    def __init__(self, root_path: str | os.PathLike):
        self.root = Path(root_path).resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BlobStoreUnavailable(f"cannot create blob root {self.root}: {e}") from e

    @classmethod
    def from_url(cls, url: str) -> FileBlobStore:
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"not a file:// URL: {url!r}")
        # file:///abs/path → netloc "" and path "/abs/path"; file://relative/dir → netloc
        # "relative" and path "/dir", which we read as relative to the working directory.
        path = unquote(parts.netloc + parts.path) if parts.netloc else unquote(parts.path)
        if not path:
            raise ValueError(f"file:// URL without a path: {url!r}")
        return cls(path)

    def _path(self, key: str) -> Path:
        if (not isinstance(key, str) or not _KEY_RE.fullmatch(key) or key.startswith("/")
                or any(part in ("", ".", "..") for part in key.split("/"))):
            raise ValueError(f"invalid blob key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Temp file in the same directory so os.replace is an atomic rename on one
            # filesystem: a reader sees the old object, the new one, or nothing — never half.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass
                raise
            self._fsync_dir(path.parent)
        except OSError as e:
            raise BlobStoreUnavailable(f"cannot write blob {key}: {e}") from e

    @staticmethod
    def _fsync_dir(directory: Path) -> None:
        # The rename is only durable once the directory entry is on disk.
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None
        except OSError as e:
            raise BlobStoreUnavailable(f"cannot read blob {key}: {e}") from e

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            pass
        except OSError as e:
            raise BlobStoreUnavailable(f"cannot delete blob {key}: {e}") from e

    def list(self, prefix: str):
        base = self.root / prefix.rstrip("/") if prefix.endswith("/") else self.root
        if not base.is_dir():
            return
        try:
            for path in base.rglob("*"):
                key = path.relative_to(self.root).as_posix()
                if path.name.startswith(".tmp-") or not key.startswith(prefix):
                    continue
                try:
                    if path.is_file():
                        yield key, path.stat().st_mtime
                except FileNotFoundError:
                    continue  # removed while we walked
        except OSError as e:
            raise BlobStoreUnavailable(f"cannot list blobs under {prefix}: {e}") from e

    def sweep_temp(self, older_than: float) -> int:
        """`.part` files left by a put that died between mkstemp and the rename."""
        removed = 0
        for path in self.root.rglob(".tmp-*.part"):
            try:
                if path.stat().st_mtime < older_than:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
            except OSError as e:
                raise BlobStoreUnavailable(f"cannot remove {path.name}: {e}") from e
        return removed

    def ping(self) -> None:
        if not self.root.is_dir():
            raise BlobStoreUnavailable(f"blob root {self.root} is not a directory")
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise BlobStoreUnavailable(f"blob root {self.root} is not writable")
