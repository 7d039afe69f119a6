"""Finding 7: the gateway forwarded the client's own X-Forwarded-For, so a client behind it
chose the address the services count it under. The front door sends the peer it saw."""
from tests.unit.gateway.test_gateway import gateway  # noqa: F401 - the fixture


def test_the_clients_x_forwarded_for_is_replaced_by_its_peer(gateway):
    r = gateway.get("/v1/me", headers={"X-Forwarded-For": "10.9.8.7"},
                    environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert r.get_json()["xff"] == "203.0.113.5"
