"""Which service answers a public request: one table for the standalone dispatcher, the
local gateway (`make up`) and, in spirit, the Kubernetes Ingress.

/internal/… is never routed publicly. Routing decides on the *normalised* path: a client
can write `/v1/../internal/auth` (or `/v1/%2e%2e/internal/auth`, which the WSGI server
decodes to the same), and an HTTP client or upstream server that collapses the dot segments
would then serve /internal/auth although the raw path looked like /v1. So callers route and
forward `normalise(path)`, never the raw path.
"""
from __future__ import annotations

from urllib.parse import quote

UPLOAD, METADATA, RENDER = "upload", "metadata", "render"
WEB_PREFIX = "/web"  # the web page's scripts and styles (a reserved username)

# RFC 3986 pchar minus "%": everything else (space, "?", "#", "%", non-ASCII) is escaped when
# the path is put back on the wire, so an address like "a%3Fb@x" reaches metadata as itself.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


# Methods of a path that another service answers than the one holding its other methods: the
# Allow header of that one's 405 and OPTIONS answers names them too (RFC 9110 §10.2.1).
ALSO_ALLOWED = {"/v1/photos": ("POST",)}  # upload; GET is metadata's


def normalise(path: str) -> str:
    """The decoded path with "." and ".." segments resolved (RFC 3986 §5.2.4; ".." never
    climbs above the root) and empty segments (duplicate slashes) dropped; a trailing slash
    is kept."""
    out: list[str] = []
    segments = path.split("/")
    for seg in segments:
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    trailing = bool(out) and segments[-1] in ("", ".", "..")
    return "/" + "/".join(out) + ("/" if trailing else "")


def encode(path: str) -> str:
    """A decoded (normalised) WSGI path percent-encoded for a request line.

    WSGI strings carry the request's bytes decoded as latin-1 (PEP 3333), so they are
    encoded back to those bytes before quoting; anything else is taken as UTF-8."""
    try:
        raw = path.encode("latin-1")
    except UnicodeEncodeError:
        raw = path.encode("utf-8")
    return quote(raw, safe=_PATH_SAFE)


def service_for(method: str, path: str) -> str | None:
    """The service for a public request, or None when it must not be routed (internal).

    Normalises `path` itself, so a caller that forgot to cannot route into /internal."""
    path = normalise(path)
    if path == "/internal" or path.startswith("/internal/"):
        return None
    if path == "/v1/photos" and method == "POST":
        return UPLOAD
    if path == "/v1" or path.startswith("/v1/"):
        return METADATA
    # The web page (services/web) is served by metadata, which owns its session.
    if path in ("/", WEB_PREFIX) or path.startswith(WEB_PREFIX + "/"):
        return METADATA
    return RENDER
