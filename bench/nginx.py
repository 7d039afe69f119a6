"""The reference server: nginx serving given bytes from static files (one location per case),
with the headers render sends (type, ETag, Cache-Control), as many worker processes as render
has."""
from __future__ import annotations

import shutil

from .tools import VAR, Proc, free_port, wait_http, which

CONF = """\
worker_processes {workers};
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    keepalive_requests 1000000;
    sendfile on; tcp_nopush on;
    server {{
        listen 127.0.0.1:{port};
{locations}
    }}
}}
"""


LOCATION = """\
        location = /{name} {{
            alias {file};
            default_type {ctype};
            add_header Cache-Control "public, max-age=300";
        }}"""


class Nginx:
    def __init__(self, files: dict[str, bytes], types: dict[str, str], workers: int):
        """files: case → bytes; types: case → Content-Type."""
        self.port = free_port()
        self.dir = VAR / f"nginx-{self.port}"  # per instance: runs at once do not share files
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        self._names = {case: f"f{i}" for i, case in enumerate(files)}
        locations = []
        for case, name in self._names.items():
            path = self.dir / f"{name}.bin"
            path.write_bytes(files[case])
            locations.append(LOCATION.format(name=name, file=path, ctype=types[case]))
        conf = self.dir / "nginx.conf"
        conf.write_text(CONF.format(workers=workers, dir=self.dir, port=self.port,
                                    locations="\n".join(locations)))
        self.proc = Proc("nginx", [which("nginx"), "-c", str(conf), "-p", str(self.dir)])
        wait_http(self.url(next(iter(files))), 10, self.proc)

    def url(self, case: str) -> str:
        return f"http://127.0.0.1:{self.port}/{self._names[case]}"

    def stop(self) -> None:
        self.proc.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
