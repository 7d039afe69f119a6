"""A standalone-shaped OnePic in one process for the direct-upload tests: the real metadata
app (SQLite), the real upload app on a given blob store (files by default), behind the
standalone origin. The form POST goes to the origin in-process, or over HTTP to a real
object store when the ticket points there (tests/integration/test_direct_uploads_s3.py)."""
from __future__ import annotations

import io

import requests
from werkzeug.test import Client

from services.metadata import db, migrate
from services.metadata.app import INTERNAL
from services.metadata.app import create_app as metadata_app
from services.standalone.origin import Origin
from services.upload.app import create_app as upload_app
from shared.blobstore import BlobStore
from shared.blobstore.file import FileBlobStore
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.internal import MetadataClient
from tests.metadata_api import ORIGIN, TOKEN, cheap_kdf  # noqa: F401 - fixture

CAP = 256 * 1024


class System:
    def __init__(self, tmp_path, clock, blobs: BlobStore | None = None, ttl: int = 60):
        self.settings = Settings(
            database_url=f"sqlite:///{tmp_path}/onepic.db", blob_url=f"file://{tmp_path}/blobs",
            public_url=ORIGIN, internal_token=TOKEN, max_upload_bytes=CAP,
            upload_ticket_ttl=ttl)
        self.engine = db.create_engine(self.settings.database_url)
        migrate.upgrade(self.engine)
        self.blobs = blobs or FileBlobStore(tmp_path / "blobs")
        metadata = metadata_app(self.settings, cache=MemoryCache(), clock=clock)
        upload = upload_app(self.settings, blobs=self.blobs,
                            metadata=MetadataClient.in_process(metadata.extensions[INTERNAL], TOKEN))
        self.client = Client(Origin({"metadata": metadata, "upload": upload}))

    def sign_up(self, name="alice") -> dict:
        r = self.client.post("/v1/users", json={"username": name, "password": "password 123"})
        assert r.status_code == 201, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    def ticket(self, auth, size, content_type="image/jpeg"):
        return self.client.post("/v1/uploads", headers=auth,
                                json={"content_type": content_type, "bytes": size})

    def send(self, ticket: dict, data: bytes, **override):
        """The browser's form POST: the signed fields, then the file."""
        fields = {**ticket["fields"], **override}
        if not ticket["url"].startswith(ORIGIN):  # straight to the object store
            return requests.post(ticket["url"], data=fields, timeout=30,
                                 files={"file": ("picture", data, fields["Content-Type"])})
        return self.client.post(ticket["url"][len(ORIGIN):], data={
            **fields, "file": (io.BytesIO(data), "picture")})

    def complete(self, auth, ticket_id, **body):
        return self.client.post(f"/v1/uploads/{ticket_id}/complete", headers=auth,
                                json=body or None)

    def staged(self, ticket: dict) -> bool:
        return self.blobs.exists(ticket["fields"]["key"])
