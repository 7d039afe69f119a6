"""/readyz and /v1/openapi.json."""


def test_readyz_reports_database_and_cache(client):
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["failed"] == []


def test_openapi_document_lists_every_v1_route_of_the_app(app, client):
    doc = client.get("/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items()
                  for method in ops if method != "parameters"}
    served = {(r.rule.replace("<photo_id>", "{photo_id}"), m) for r in app.url_map.iter_rules()
              if r.rule.startswith("/v1/") and r.rule != "/v1/openapi.json"
              for m in r.methods - {"HEAD", "OPTIONS"}}
    # Everything served is documented; POST /v1/photos is served by the upload service.
    assert served <= documented
    assert documented - served == {("/v1/photos", "POST")}
