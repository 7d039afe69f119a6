"""supervisord event listener: when a program's process exits, signal what is left of its
process group. A server killed outright (the fault suite's SIGKILL, the OOM killer) leaves
its worker processes behind; granian's keep serving the port beside the replacement's, as
stale copies of the service. The kubelet removes a container's every process; this does the
same for `make up`. Run by supervisord (deploy/local/procs.py), never by hand."""
from __future__ import annotations

import os
import signal
import sys

from supervisor import childutils


def reap(payload: str) -> None:
    fields = dict(token.split(":", 1) for token in payload.split())
    pid = int(fields.get("pid") or 0)
    if pid <= 1:
        return
    try:
        os.killpg(pid, signal.SIGKILL)  # each program leads its own group: pgid == its pid
        print(f"reaper: killed what was left of {fields.get('processname')}'s group {pid}",
              file=sys.stderr, flush=True)
    except (ProcessLookupError, PermissionError):
        pass  # nothing left


def main() -> None:
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        if headers.get("eventname") == "PROCESS_STATE_EXITED":
            reap(payload)
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
