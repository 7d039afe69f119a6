"""Finding 3: every unknown /avatar/<hash> or /<username> cost a Redis miss, an internal call
and a SQL query (1,000 random hashes: 2,083 Postgres transactions). With the filter of known
names loaded, render answers unknown names itself; a name that appears later resolves."""
import hashlib
import secrets
import time

import sqlalchemy as sa
from werkzeug.test import Client

from services.metadata.app import INTERNAL
from services.metadata.relay.readmodel_writer import ReadModelWriter
from services.render.app import create_app as render_app
from shared.blobstore import original_key
from shared.blobstore.file import FileBlobStore
from shared.internal import MetadataClient
from shared.readmodel import ReadModel
from tests import imagefactory as f


def statements(engine):
    seen = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a, **k: seen.append(1))
    return seen


def setup(app, cache, settings, tmp_path):
    state = app.extensions["onepic_metadata"]
    writer = ReadModelWriter(ReadModel(cache))
    with state.engine.connect() as conn:
        assert writer.load_known_names(conn) is True   # the worker's job (keep_known_names)
        assert writer.load_known_names(conn) is False  # loaded once
    render = Client(render_app(settings, cache=cache, blobs=FileBlobStore(tmp_path / "b"),
                               metadata=MetadataClient.in_process(app.extensions[INTERNAL],
                                                                  settings.internal_token)))
    return state, render


def test_random_hashes_and_names_cost_no_sql(app, api, cache, settings, tmp_path):
    api.signup("known")
    state, render = setup(app, cache, settings, tmp_path)
    seen = statements(state.engine)
    for _ in range(200):
        assert render.get(f"/avatar/{secrets.token_hex(16)}?d=404").status_code == 404
        assert render.get(f"/avatar/{secrets.token_hex(32)}?d=404").status_code == 404
        assert render.get(f"/u{secrets.token_hex(6)}?d=404").status_code == 404
    assert seen == []


def test_a_name_that_appears_later_resolves(app, api, cache, mailbox, settings, tmp_path):
    _, render = setup(app, cache, settings, tmp_path)
    address = "late@example.com"
    digest = hashlib.md5(address.encode()).hexdigest()
    assert render.get(f"/avatar/{digest}?d=404").status_code == 404
    assert render.get("/latecomer?d=404").status_code == 404
    user = api.signup("latecomer")
    api.verified(user["token"], address, mailbox)
    data = f.solid_jpeg(32, 32)
    FileBlobStore(tmp_path / "b").put(original_key(hashlib.sha256(data).hexdigest()), data)
    photo = api.record(user["id"], data, width=32, height=32, activate=True).get_json()
    assert photo["id"]
    ReadModel(cache).cache.delete(f"rm:email:{digest}")   # even with the entry lost
    ReadModel(cache).cache.delete("rm:user:latecomer")
    time.sleep(settings.micro_cache_seconds)   # render's micro-cache remembered the miss
    assert render.get("/latecomer?d=404").status_code != 404
    assert render.get(f"/avatar/{digest}?d=404").status_code != 404
