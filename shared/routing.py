"""Which service answers a public request: one table, three front doors. The standalone
origin follows it in-process (`service_for`); `make up`'s nginx configuration
(deploy/local/nginx.py) and the Kubernetes Ingress (deploy/k8s/ingress.py) are generated
from it, so none of them can drift from the others.

/internal/… is never routed publicly, and neither are the services' operational endpoints
(/readyz, /metrics): they are reached on each service's own port, by the orchestrator and the
metrics scraper, never through the origin.

Routing decides on the *normalised* path: a client can write `/v1/../internal/auth` (or
`/v1/%2e%2e/internal/auth`, which the WSGI server decodes to the same), and an HTTP client or
upstream server that collapses the dot segments would then serve /internal/auth although the
raw path looked like /v1. So callers route and forward `normalise(path)`, never the raw path.
nginx normalises the same way before it matches a location.
"""
from __future__ import annotations

from dataclasses import dataclass

UPLOAD, METADATA, RENDER = "upload", "metadata", "render"
SERVICES = (UPLOAD, METADATA, RENDER)
WEB_PREFIX = "/web"  # the web page's scripts and styles (a reserved username)


@dataclass(frozen=True)
class Route:
    """`path` matched exactly (`exact`) or as a prefix of whole segments ("/v1" matches
    "/v1" and "/v1/…", not "/v1x"), as Kubernetes' `Exact` and `Prefix` path types do.
    `methods`: the route applies only to these methods; other methods fall through to the
    next route that matches. `service` None: never routed (404)."""
    path: str
    service: str | None
    exact: bool = False
    methods: frozenset[str] | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.methods is not None and method not in self.methods:
            return False
        if self.exact:
            return path == self.path
        if self.path == "/":
            return True
        return path == self.path or path.startswith(self.path + "/")


# Most specific first: the first route that matches answers.
ROUTES: tuple[Route, ...] = (
    Route("/internal", None),
    Route("/readyz", None, exact=True),
    Route("/metrics", None, exact=True),
    Route("/v1/photos", UPLOAD, exact=True, methods=frozenset({"POST"})),
    Route("/v1/uploads", UPLOAD),  # presigned direct uploads (services/upload/direct.py)
    Route("/v1", METADATA),
    # The web page (services/web) is served by metadata, which owns its session.
    Route("/", METADATA, exact=True),
    Route(WEB_PREFIX, METADATA),
    Route("/", RENDER),
)

# Liveness of the origin itself (nginx's own answer in `make up`; standalone's process).
HEALTH_PATH = "/healthz"


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


def path_routes(routes: tuple[Route, ...] = ROUTES) -> tuple[Route, ...]:
    """The table as a front door that cannot match methods sees it (a Kubernetes Ingress):
    one route per path, the first route naming it deciding for every method. So `/v1/photos`
    (Exact) goes to upload whatever the method, and upload hands the methods that are
    metadata's on to it (services/upload/handoff.py)."""
    seen: set[tuple[str, bool]] = set()
    out = []
    for route in routes:
        if (route.path, route.exact) not in seen:
            seen.add((route.path, route.exact))
            out.append(Route(route.path, route.service, route.exact))
    return tuple(out)


# Every method a client may send; the method-blind rules are checked for each of them.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def method_blind_gaps(routes: tuple[Route, ...] = ROUTES) -> list[tuple[str, str, str, str]]:
    """(method, path, receiver, owner) for every request a method-blind front door sends to
    `receiver` although the table says `owner` answers it: the receiver must answer it as the
    owner would. Derived from the table, so a new method route shows up here by itself."""
    blind = path_routes(routes)
    paths = {r.path for r in routes} | {r.path.rstrip("/") + "/x" for r in routes if not r.exact}
    gaps = []
    for path in sorted(paths):
        receiver = next(r for r in blind if r.matches("GET", path)).service
        for method in METHODS:
            owner = next(r for r in routes if r.matches(method, path)).service
            if receiver != owner:
                gaps.append((method, path, receiver, owner))
    return gaps


def route_for(method: str, path: str) -> Route:
    """The route that answers (`path` already normalised); the table ends in a catch-all."""
    return next(r for r in ROUTES if r.matches(method, path))


def service_for(method: str, path: str) -> str | None:
    """The service for a public request, or None when it must not be routed (internal,
    operational).

    Normalises `path` itself, so a caller that forgot to cannot route into /internal."""
    return route_for(method, normalise(path)).service
