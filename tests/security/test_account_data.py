"""Finding 6: the account could not be exported or deleted at all."""
import hashlib
import io
import json
import zipfile

from services.metadata import gc
from shared.blobstore import original_key
from shared.blobstore.file import FileBlobStore
from tests import imagefactory as f

ADDRESS = "arpit@example.com"


def stored_photo(api, settings, user, rgb):
    data = f.solid_jpeg(16, 16, rgb)
    FileBlobStore(settings.blob_url[len("file://"):]).put(
        original_key(hashlib.sha256(data).hexdigest()), data)
    r = api.record(user["id"], data, width=16, height=16, activate=True)
    assert r.status_code == 201
    return data, r.get_json()


def test_export_holds_the_account_and_every_original(api, client, mailbox, settings):
    user = api.signup("arpit")
    api.verified(user["token"], ADDRESS, mailbox)
    one, p1 = stored_photo(api, settings, user, (200, 0, 0))
    two, p2 = stored_photo(api, settings, user, (0, 200, 0))
    r = client.get("/v1/me/export", headers=api.auth(user["token"]))
    assert r.status_code == 200 and r.mimetype == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.data))
    account = json.loads(z.read("account.json"))
    assert account["account"]["username"] == "arpit"
    assert [e["email"] for e in account["emails"]] == [ADDRESS]
    assert {p["id"] for p in account["photos"]} == {p1["id"], p2["id"]}
    assert z.read(f"originals/{p1['sha256']}.jpg") == one
    assert z.read(f"originals/{p2['sha256']}.jpg") == two
    assert client.get("/v1/me/export").status_code == 401


def test_delete_needs_the_password_and_deletes_everything(api, client, mailbox, settings,
                                                         read_model, engine):
    import sqlalchemy as sa
    user = api.signup("arpit")
    verified = api.verified(user["token"], ADDRESS, mailbox)
    _, photo = stored_photo(api, settings, user, (200, 0, 0))
    h = api.auth(user["token"])
    r = client.delete("/v1/me", json={"password": "wrong password"}, headers=h)
    assert r.status_code == 403
    assert client.get("/v1/me", headers=h).status_code == 200
    assert client.delete("/v1/me", json={"password": "correct horse"}, headers=h).status_code == 204
    assert client.get("/v1/me", headers=h).status_code == 401
    for kind, name in (("user", "arpit"), ("photo", photo["id"]),
                       ("email", verified["md5"]), ("email", verified["sha256"])):
        assert read_model.get(kind, name) == {"missing": True}, (kind, name)
    with engine.connect() as conn:
        for table in ("users", "api_tokens", "emails", "photos"):
            assert conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0, table
    assert "removed" in mailbox.notices(ADDRESS)[-1]["Subject"]
    # The bytes go by the one path every deletion uses: the garbage collector (its grace
    # period is 0 here; in service it is GC_GRACE).
    blobs = FileBlobStore(settings.blob_url[len("file://"):])
    assert blobs.exists(original_key(photo["sha256"]))
    gc.sweep(engine, blobs, grace=0)   # marks it unreferenced
    gc.sweep(engine, blobs, grace=0)   # collects it
    assert not blobs.exists(original_key(photo["sha256"]))
    # The name is free again.
    assert client.post("/v1/users", json={"username": "arpit",
                                          "password": "correct horse"}).status_code == 201
