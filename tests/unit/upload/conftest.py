"""The real upload app with its two collaborators replaced by recorders, so tests can see
exactly what a request stored (blobs) and recorded (photos) — and prove a refusal left
nothing behind."""
import pytest

from services.upload.app import create_app
from shared.config import Settings
from tests.unit.upload.fakes import CAP, MemoryBlobs, RecordingMetadata


@pytest.fixture
def blobs():
    return MemoryBlobs()


@pytest.fixture
def metadata():
    return RecordingMetadata()


@pytest.fixture
def app(blobs, metadata):
    settings = Settings(max_upload_bytes=CAP, max_pixels=1_000_000, max_frames=10)
    return create_app(settings, blobs=blobs, metadata=metadata)


@pytest.fixture
def client(app):
    return app.test_client()
