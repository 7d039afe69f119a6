"""A render app on real in-process backends (MemoryCache, FileBlobStore, the real image code)
with a small stand-in for metadata's read-model endpoint."""
from __future__ import annotations

import contextlib
import hashlib
import json

import pytest
from werkzeug.test import Client

from services.render.app import create_app
from shared.blobstore import original_key, variant_key
from shared.blobstore.file import FileBlobStore
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.images import VARIANTS, variant_formats
from shared.internal import TOKEN_HEADER, MetadataClient
from shared.readmodel import MISSING, ReadModel
from tests import imagefactory as f
from tests.imagefactory import pyvips

TOKEN = "test-internal-token"


class FakeMetadata:
    """Serves GET /internal/read-model/<kind>/<name> from `entries` and, like the real
    service, writes the answer back to the cache."""

    def __init__(self, cache):
        self.read_model = ReadModel(cache)
        self.entries: dict[tuple[str, str], dict] = {}
        self.calls: list[tuple[str, str]] = []
        self.down = False

    def __call__(self, environ, start_response):
        parts = environ["PATH_INFO"].split("/")
        if self.down:
            status, body = "503 Service Unavailable", {"error": {"code": "down", "message": "x"}}
        elif environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_")) != TOKEN:
            status, body = "401 Unauthorized", {"error": {"code": "unauthorized", "message": "x"}}
        elif len(parts) == 5 and parts[1:3] == ["internal", "read-model"]:
            kind, name = parts[3], parts[4]
            self.calls.append((kind, name))
            body = self.entries.get((kind, name), MISSING)
            with contextlib.suppress(Exception):  # a down cache does not stop the answer
                self.read_model.put(kind, name, None if body is MISSING else body, 1)
            status = "200 OK"
        else:
            status, body = "404 Not Found", {"error": {"code": "not_found", "message": "x"}}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(data)))])
        return [data]


class World:
    def __init__(self, tmp_path, **settings):
        self.cache = MemoryCache()
        self.blobs = FileBlobStore(tmp_path / "blobs")
        self.metadata = FakeMetadata(self.cache)
        self.settings = Settings(**{"micro_cache_seconds": 0.3, **settings})
        self.app = create_app(self.settings, cache=self.cache, blobs=self.blobs,
                              metadata=MetadataClient.in_process(self.metadata, TOKEN))
        self.client = Client(self.app)
        self._version = 1

    def get(self, url: str, **headers):
        return self.client.get(url, headers=headers)

    def _publish(self, kind: str, name: str, entry: dict) -> None:
        """As metadata does: a newer version, written and announced."""
        self.metadata.entries[(kind, name)] = entry
        self._version += 1
        ReadModel(self.cache).put(kind, name, entry, self._version)
        ReadModel(self.cache).announce(kind, name)

    def add_photo(self, photo_id: str, original: bytes, *, variants=(), variant_rgb=None,
                  only_in_read_model=(), rating="g") -> dict:
        """Store `original` and publish its PhotoView. `variants` are made from the original
        (or, with `variant_rgb`, drawn in that colour so tests can tell the source apart);
        names in `only_in_read_model` are listed but have no blob."""
        sha = hashlib.sha256(original).hexdigest()
        self.blobs.put(original_key(sha), original)
        image = pyvips.Image.new_from_buffer(original, "").autorot()
        alpha = image.hasalpha()
        view = {"id": photo_id, "sha256": sha, "format": f.loader(original),
                "width": image.width, "height": image.height, "alpha": alpha,
                "rating": rating, "variants": {}}
        for name in variants:
            thumb = pyvips.Image.thumbnail_buffer(original, VARIANTS[name], size="down")
            if variant_rgb:
                thumb = f.solid(thumb.width, thumb.height, variant_rgb)
            # What the resizer stores: the large WebP is left to render (WEBP_STORED_UP_TO).
            formats = variant_formats(alpha, VARIANTS[name])
            for fmt in formats:
                if name not in only_in_read_model:
                    self.blobs.put(variant_key(sha, name, fmt), f.encode(thumb, fmt))
            view["variants"][name] = list(formats)
        self._publish("photo", photo_id, view)
        return view

    def set_user(self, username: str, view: dict | None) -> None:
        self._publish("user", username, {"username": username, "photo": view})

    def set_email(self, email_hash: str, username: str, view: dict | None) -> None:
        """A verified address of `username` showing `view` (the entry metadata writes)."""
        self._publish("email", email_hash, {"username": username, "photo": view})


@pytest.fixture
def world(tmp_path):
    return World(tmp_path)


@pytest.fixture
def make_world(tmp_path):
    return lambda **settings: World(tmp_path, **settings)

