"""The client's address, for per-address rate limits: the TCP peer, unless the peer is one of
our own proxies (TRUSTED_PROXIES), in which case the right-most address of X-Forwarded-For
that is not a trusted proxy. Everything left of that was written by the client and proves
nothing, so a client cannot pick its own rate-limit bucket by sending the header."""
from __future__ import annotations

import ipaddress
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_networks(spec: str) -> tuple[Network, ...]:
    """"127.0.0.1, 10.0.0.0/8" → networks; a bad entry is a configuration error."""
    out = []
    for raw in spec.replace(";", ",").split(","):
        part = raw.strip()
        if part:
            try:
                out.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {part!r} is not an address or network") \
                    from None
    return tuple(out)


def _trusted(addr: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(environ: dict, trusted_proxies: str) -> str:
    peer = environ.get("REMOTE_ADDR") or "unknown"
    networks = parse_networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    chain = [a.strip() for a in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for addr in reversed(chain):
        if not _trusted(addr, networks):
            return addr
    return chain[0] if chain else peer


def forwarded_for(environ: dict, trusted_proxies: str) -> str:
    """The X-Forwarded-For a front door sends on: only the address it determined, never a
    chain the client wrote itself."""
    return client_address(environ, trusted_proxies)
