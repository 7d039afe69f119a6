"""The nginx configuration of `make up`'s public origin, generated from shared/routing.py.

nginx is what an Ingress controller runs in Kubernetes, so `make up` rehearses the same front
door: it buffers request bodies (a slow client holds an nginx connection, never a Python
thread), refuses a body over the upload cap before reading it, tells the services the
client's address (X-Forwarded-For and X-Real-IP both the peer it saw, never what the client
wrote; the services believe them from TRUSTED_PROXIES only) and exposes only the public
routes.

Paths: nginx decodes %XX and resolves dot segments and duplicate slashes before it matches a
location (as shared/routing.normalise does), and a `proxy_pass` with a URI part sends that
normalised path on, percent-encoded again. So `/v1/%2e%2e/internal/auth` is matched, and
refused, as /internal/auth, and no service ever sees a path it was not routed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shared.routing import HEALTH_PATH, ROUTES, Route, path_routes, route_for


def _error(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


NOT_FOUND = _error("not_found", "No such resource.")
ERRORS = {  # nginx's own refusals, in the API's error shape
    "bad_request": (400, _error("bad_request", "The request could not be read.")),
    "too_large": (413, _error("payload_too_large", "The request body is too large.")),
    "unavailable": (503, _error("unavailable", "The service is unavailable; retry later.")),
    "not_allowed": (405, _error("method_not_allowed", "That method is not allowed here.")),
}
# nginx refuses TRACE itself, before any location is chosen, so its 405 cannot name the
# resource's own methods; RFC 9110 still wants an Allow header, so it names every method the
# origin serves anywhere (the services' own 405s pass through with their exact Allow).
ORIGIN_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
RETRY_AFTER = 5


@dataclass(frozen=True)
class Origin:
    port: int
    upstreams: dict[str, int]   # service → loopback port
    max_body: int               # bytes of a request body, envelope included
    run_dir: Path               # pid file
    log_dir: Path
    workers: int = 1
    host: str = "127.0.0.1"
    # Route as an Ingress does, by path only (shared.routing.path_routes): every method of
    # /v1/photos to upload, which hands metadata's on (UP_INGRESS_PORT in plan.py).
    method_blind: bool = False
    name: str = "nginx"  # of its configuration, pid and error log files

    @property
    def conf(self) -> Path:
        return self.run_dir / f"{self.name}.conf"

    def write(self) -> Path:
        (self.run_dir / f"{self.name}-tmp").mkdir(parents=True, exist_ok=True)
        self.conf.write_text(render(self))
        return self.conf


def _q(text: str) -> str:
    """A single-quoted nginx string (JSON bodies contain double quotes, never single ones)."""
    if "'" in text or "\\" in text:
        raise ValueError(f"cannot quote for nginx: {text!r}")
    return f"'{text}'"


def _refuse() -> str:
    return f"default_type application/json; return 404 {_q(NOT_FOUND)};"


def _variable(route: Route) -> str:
    return "$route" + "".join(c if c.isalnum() else "_" for c in route.path)


def _locations(routes: tuple[Route, ...]) -> tuple[list[str], list[str]]:
    """(maps, locations) for the table. nginx matches `=` locations first, then the longest
    prefix, which is the table's "most specific first" for the shapes it has (exact paths
    and whole-segment prefixes); tests/unit/deploy check every route against service_for."""
    maps, locs, seen = [], [], set()
    for route in routes:
        key = (route.path, route.exact)
        if key in seen:
            continue  # a method-specific route already wrote this path's location
        seen.add(key)
        if route.methods is not None:
            if not route.exact:
                raise ValueError(f"{route.path}: method routes must be exact paths")
            var = _variable(route)
            other = route_for("\0other", route.path)  # what answers the other methods
            lines = [f"map $request_method {var} {{"]
            lines += [f"    {m} {route.service};" for m in sorted(route.methods)]
            lines += [f"    default {other.service};", "}"]
            maps.append("\n".join(lines))
            # A variable in proxy_pass takes the URI as written: the path is fixed here.
            locs.append(f"location = {route.path} {{ proxy_pass http://{var}{route.path}"
                        "$is_args$args; }")
            continue
        if route.exact:
            body = _refuse() if route.service is None else \
                f"proxy_pass http://{route.service}{route.path};"
            locs.append(f"location = {route.path} {{ {body} }}")
        elif route.path == "/":
            body = _refuse() if route.service is None else f"proxy_pass http://{route.service}/;"
            locs.append(f"location / {{ {body} }}")
        else:  # a whole-segment prefix: the path itself and everything below it
            for loc, uri in ((f"= {route.path}", route.path), (f"{route.path}/", route.path + "/")):
                body = _refuse() if route.service is None else \
                    f"proxy_pass http://{route.service}{uri};"
                locs.append(f"location {loc} {{ {body} }}")
    return maps, locs


def render(o: Origin) -> str:
    maps, locs = _locations(path_routes() if o.method_blind else ROUTES)
    # Idle upstream connections kept per worker: more than the clients served at once, or
    # nginx closes and reopens one per request beyond the pool (measured: 10,000 TIME_WAIT
    # sockets in 2 s at 64 clients with 32, and a third fewer requests/s).
    upstreams = [f"upstream {name} {{ server 127.0.0.1:{port}; keepalive 256; "
                 "keepalive_requests 1000000; keepalive_timeout 60s; }"
                 for name, port in sorted(o.upstreams.items())]
    errors = [f"location @{name} {{ default_type application/json; "
              + (f"add_header Retry-After {RETRY_AFTER} always; " if status == 503 else "")
              + (f'add_header Allow "{ORIGIN_METHODS}" always; ' if status == 405 else "")
              + f"return {status} {_q(body)}; }}"
              for name, (status, body) in ERRORS.items()]
    health = _q(json.dumps({"status": "ok", "service": "origin"}))
    tmp = o.run_dir / f"{o.name}-tmp"
    blind = ", routing by path only as an Ingress does" if o.method_blind else ""
    return f"""\
# Generated by deploy/local/nginx.py from shared/routing.py{blind}; do not edit.
worker_processes {o.workers};
daemon off;
pid {o.run_dir / f'{o.name}.pid'};
error_log {o.log_dir / f'{o.name}-error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server_tokens off;
    # A request body is kept in memory up to the cap, so no temp file is written (their
    # directory would have to be writable by nginx's worker user) and none is needed.
    client_max_body_size {o.max_body};
    client_body_buffer_size {o.max_body};
    client_body_timeout 60s;
    proxy_request_buffering on;
    proxy_buffering on;
    proxy_buffers 64 16k;
    proxy_max_temp_file_size 0;
    client_body_temp_path {tmp};
    proxy_temp_path {tmp};
    fastcgi_temp_path {tmp};
    uwsgi_temp_path {tmp};
    scgi_temp_path {tmp};
    keepalive_requests 100000;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    # The outermost proxy: the client's own X-Forwarded-For proves nothing, so it is replaced
    # by the peer nginx saw (issue 10, finding 7); the services believe it from
    # TRUSTED_PROXIES (loopback in `make up`) only.
    proxy_set_header X-Forwarded-For $remote_addr;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;
    proxy_send_timeout 60s;
{_indent(upstreams + maps, 4)}
    server {{
        listen {o.host}:{o.port};
        error_page 400 =400 @bad_request;
        error_page 405 =405 @not_allowed;
        error_page 413 =413 @too_large;
        error_page 502 503 504 =503 @unavailable;
{_indent(errors, 8)}
        location = {HEALTH_PATH} {{ default_type application/json; return 200 {health}; }}
{_indent(locs, 8)}
    }}
}}
"""


def _indent(blocks: list[str], n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for block in blocks for line in block.splitlines())
