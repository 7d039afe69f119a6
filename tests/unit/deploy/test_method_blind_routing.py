"""Every request that a front door routing by path only (the Kubernetes Ingress generated
from shared/routing.py) sends to another service than the table names is answered by that
service exactly as the table's own service answers it. The pairs come from the table
(`method_blind_gaps`), so a method route added later is checked here by itself.

The real metadata app (SQLite, in-memory cache) serves its public API on a loopback port, as
its Service does in the cluster; upload, render and metadata run as the apps their
Deployments run, configured as deploy/k8s configures them (METADATA_PUBLIC_URL)."""
import threading

import pytest
from werkzeug.serving import make_server

from services.metadata import db, migrate
from services.metadata.app import INTERNAL
from services.metadata.app import create_app as metadata_app
from services.render.app import create_app as render_app
from services.upload.app import create_app as upload_app
from shared.cache.memory import MemoryCache
from shared.config import Settings
from shared.internal import MetadataClient
from shared.routing import ROUTES, Route, method_blind_gaps, path_routes
from tests.metadata_api import TOKEN, Api, cheap_kdf  # noqa: F401 - a fixture
from tests.unit.upload.fakes import MemoryBlobs

GAPS = method_blind_gaps()


def test_the_table_has_the_gap_this_file_guards():
    """Today: every method of /v1/photos but POST reaches upload through the Ingress."""
    assert {(m, p, r, o) for m, p, r, o in GAPS} == {
        (m, "/v1/photos", "upload", "metadata")
        for m in ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS")}


def test_a_new_method_route_shows_up_as_a_gap():
    routes = (Route("/v1/stats", "render", exact=True, methods=frozenset({"GET"})), *ROUTES)
    assert ("POST", "/v1/stats", "render", "metadata") in method_blind_gaps(routes)
    assert all(r.methods is None for r in path_routes(routes))


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    """service → its app, wired as in the cluster; metadata's public API on a real port."""
    tmp = tmp_path_factory.mktemp("gaps")
    base = Settings(database_url=f"sqlite:///{tmp}/onepic.db", public_url="https://onepic.test",
                    internal_token=TOKEN, rate_limits="off")
    engine = db.create_engine(base.database_url)
    migrate.upgrade(engine)
    engine.dispose()
    cache, blobs = MemoryCache(), MemoryBlobs()
    metadata = metadata_app(base, cache=cache, blobs=blobs)
    server = make_server("127.0.0.1", 0, metadata, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = Settings(**{**base.__dict__,
                           "metadata_public_url": f"http://127.0.0.1:{server.server_port}"})
    internal = MetadataClient.in_process(metadata.extensions[INTERNAL], TOKEN)
    yield {"metadata": metadata,
           "upload": upload_app(settings, blobs=blobs, metadata=internal),
           "render": render_app(settings, cache=cache, blobs=blobs, metadata=internal)}
    server.shutdown()
    server.server_close()
    metadata.extensions["onepic_metadata"].engine.dispose()


@pytest.fixture(scope="module")
def account(apps):
    """A user with 23 photos (more than a page), and the cursor of the second page."""
    api = Api(apps["metadata"].test_client())
    user = api.signup("gapcheck")
    for i in range(23):
        r = api.record(user["id"], data=f"image {i}".encode())
        assert r.status_code == 201, r.get_json()
    first = apps["metadata"].test_client().get(
        "/v1/photos", headers=Api.auth(user["token"])).get_json()
    assert first["next_cursor"]
    return user["token"], first["next_cursor"]


def _answer(response):
    allow = response.headers.get("Allow")
    return (response.status_code, response.headers.get("Content-Type"),
            response.headers.get("Retry-After"),
            sorted(m.strip() for m in allow.split(",")) if allow else None,
            response.get_data())


@pytest.mark.parametrize("method,path,receiver,owner", GAPS,
                         ids=[f"{m} {p} {r}→{o}" for m, p, r, o in GAPS])
@pytest.mark.parametrize("who", ["anonymous", "bearer", "session cookie"])
@pytest.mark.parametrize("query", ["", "cursor", "bad cursor"])
def test_the_receiver_answers_as_the_owner(apps, account, method, path, receiver, owner,
                                            who, query):
    token, cursor = account
    headers = {"Authorization": f"Bearer {token}"} if who == "bearer" else {}
    if who == "session cookie":
        headers["Cookie"] = f"onepic_session={token}"
    target = path + {"": "", "cursor": f"?cursor={cursor}", "bad cursor": "?cursor=x!"}[query]
    body = b'{"alt": "x"}' if method in ("PUT", "PATCH", "DELETE") else None

    def ask(service):
        client = apps[service].test_client(use_cookies=False)
        return _answer(client.open(target, method=method, headers=headers, data=body,
                                   content_type="application/json" if body else None))

    assert ask(receiver) == ask(owner)
