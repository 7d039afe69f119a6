"""Finding 7: the front door forwarded a client's own X-Forwarded-For, so a client could pick
the address it is counted under. X-Forwarded-For is believed only from a trusted proxy."""
import pytest

from shared.clientaddr import client_address, parse_networks


def env(peer, xff=None):
    e = {"REMOTE_ADDR": peer}
    if xff is not None:
        e["HTTP_X_FORWARDED_FOR"] = xff
    return e


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address(env("203.0.113.9", "1.2.3.4"), "") == "203.0.113.9"


def test_a_peer_that_is_not_trusted_cannot_speak_for_others():
    assert client_address(env("203.0.113.9", "1.2.3.4"), "127.0.0.1") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client():
    # The client wrote "1.2.3.4"; our proxy appended the peer it saw, 203.0.113.9.
    e = env("127.0.0.1", "1.2.3.4, 203.0.113.9")
    assert client_address(e, "127.0.0.1") == "203.0.113.9"
    e = env("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7")
    assert client_address(e, "10.0.0.0/8") == "203.0.113.9"


def test_trusted_proxy_without_header_is_the_client():
    assert client_address(env("127.0.0.1"), "127.0.0.1") == "127.0.0.1"


def test_a_bad_network_is_a_configuration_error():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks("127.0.0.1, not-an-address")
