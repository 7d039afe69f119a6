"""The read-model walk (tests/readmodel_walk.py) on PostgreSQL with the Redis read model."""
import dataclasses

import pytest

from shared.blobstore import create_blob_store
from tests.readmodel_walk import Walk, walk

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(settings, tmp_path):
    """The edit route reads originals from BLOB_URL: a store of this test's own."""
    return dataclasses.replace(settings, blob_url=f"file://{tmp_path}/blobs")


def test_every_change_leaves_the_read_model_equal_to_the_database(api, app, read_model, clock,
                                                                   smtp, names, settings):
    w = Walk(api=api, engine=app.extensions["onepic_metadata"].engine, read_model=read_model,
             clock=clock, blobs=create_blob_store(settings.blob_url),
             mail=lambda: smtp.received, name=names)
    walk(w)
    assert w.steps > 20
