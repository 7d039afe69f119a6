"""The programs `make up` runs that are not Python packages: nginx, from Debian's
`nginx-light`, installed here when missing (as root; otherwise the command to run is shown)."""
from __future__ import annotations

import os
import subprocess
import sys

from .plan import nginx_binary


def ensure_nginx() -> None:
    if os.path.isabs(nginx_binary()):
        return
    if os.geteuid() != 0:
        sys.exit("make up needs nginx: run `sudo apt-get install -y nginx-light`")
    print("installing nginx-light (apt-get)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env=env,
                   timeout=600)
    # The package starts its own nginx on port 80; ours runs with its own configuration.
    subprocess.run(["sh", "-c", "command -v service >/dev/null && service nginx stop"],
                   capture_output=True, timeout=60)
    if not os.path.isabs(nginx_binary()):
        sys.exit("nginx-light is installed but no nginx binary was found")
