"""Finding 7's input items and finding 4's port: a list or display name as an address is
refused; deeply nested JSON is a 400, not a 500; the public app has no /internal at all."""
import pytest

from tests.metadata_api import TOKEN


@pytest.mark.parametrize("address", [
    "victim@x.example,root", "victim@x.example, other@y.example", "Jane <jane@x.example>",
    '"a,b"@x.example', "victim@x.example;root", "a@b@c.example",
])
def test_one_plain_address_per_request(api, client, mailbox, address):
    user = api.signup("arpit")
    r = api.add_email(user["token"], address)
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "invalid_email"
    assert mailbox.messages == []


def test_deeply_nested_json_is_a_400(client):
    r = client.post("/v1/users", data=b"[" * 60_000, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_json"


@pytest.mark.parametrize("path", ["/internal/ping", "/internal/read-model/user/arpit"])
def test_the_public_app_serves_no_internal_route(client, internal_client, path):
    assert client.get(path, headers={"X-Internal-Token": TOKEN}).status_code == 404
    assert internal_client.get(path, headers={"X-Internal-Token": TOKEN}).status_code == 200
