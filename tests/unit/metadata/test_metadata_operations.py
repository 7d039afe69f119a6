"""/readyz and /v1/openapi.json."""
import re

from openapi_spec_validator import validate


def test_readyz_reports_database_and_cache(client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["failed"] == []


def test_readyz_without_the_cache_is_degraded_not_unready(cache, client, monkeypatch):
    # Guarantee 3: metadata answers without Redis (the read model heals later), so a Redis
    # outage must not take every metadata pod out of the Service.
    from shared.cache import CacheUnavailable

    def down():
        raise CacheUnavailable("redis: ConnectionError")

    monkeypatch.setattr(cache, "ping", down)
    r = client.get("/readyz")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["degraded"] == [{"dependency": "cache", "error": "CacheUnavailable"}]


def _upload_app():
    from services.upload.app import create_app
    from shared.config import Settings
    from tests.unit.upload.fakes import MemoryBlobs, RecordingMetadata

    return create_app(Settings(), blobs=MemoryBlobs(), metadata=RecordingMetadata())


def _served(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every /v1 route of the app: `<path:email>` → `{email}`."""
    return {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule), m)
            for r in app.url_map.iter_rules()
            if r.rule.startswith("/v1/") and r.rule != "/v1/openapi.json"
            for m in r.methods - {"HEAD", "OPTIONS"}}


def test_openapi_document_lists_every_v1_route_and_method_of_the_app(app, client):
    doc = client.get("/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items()
                  for method in ops if method != "parameters"}
    served = _served(app)
    # Everything served is documented, method by method; what metadata does not serve is
    # the upload service's, and nothing else is documented that nobody serves.
    assert served <= documented, served - documented
    assert documented - served == _served(_upload_app())
    assert ("/v1/uploads/{upload_id}/complete", "POST") in documented
    assert {("/v1/me/emails", "POST"), ("/v1/emails/verify", "GET"),
            ("/v1/me/emails/{email}", "PUT"), ("/v1/me/emails/{email}", "DELETE")} <= served


def test_openapi_document_is_valid_openapi_and_every_operation_says_its_errors(client):
    doc = client.get("/v1/openapi.json").get_json()
    validate(doc)  # raises on a structurally invalid document
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            codes = set(op["responses"])
            assert any(c.startswith("2") for c in codes), (path, method)
            # 414 is the HTTP server's page, before the app: no body of ours to describe.
            for code in codes - {c for c in codes if c.startswith("2")} - {"414"}:
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, code)


def test_openapi_describes_the_email_routes_and_the_upload_body(client):
    doc = client.get("/v1/openapi.json").get_json()
    email = doc["components"]["schemas"]["Email"]["properties"]
    assert set(email) == {"email", "verified", "md5", "sha256", "photo_id"}
    add = doc["paths"]["/v1/me/emails"]["post"]
    assert {"200", "201", "409", "422", "429", "503"} <= set(add["responses"])
    verify = doc["paths"]["/v1/emails/verify"]["get"]
    assert "security" not in verify and {"200", "400"} <= set(verify["responses"])
    assert verify["parameters"][0]["name"] == "token"
    upload = doc["paths"]["/v1/photos"]["post"]
    assert set(upload["requestBody"]["content"]) == {"multipart/form-data", "image/*"}
    assert {"200", "201", "413", "415", "422"} <= set(upload["responses"])
