"""python -m deploy.local up|down|status|purge — see the package docstring."""
from __future__ import annotations

import argparse
import subprocess
import sys

from . import procs, seaweedfs, tools
from .plan import ROOT, Plan, build


def ensure_database(plan: Plan) -> None:
    """CREATE DATABASE <name> unless it exists (CREATE DATABASE cannot run in a transaction)."""
    import psycopg2

    try:
        conn = psycopg2.connect(f"{plan.postgres}/postgres", connect_timeout=5)
    except psycopg2.OperationalError as e:
        sys.exit(f"PostgreSQL at {plan.postgres} does not answer: {e}".strip())
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (plan.database,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{plan.database}"')
                print(f"created database {plan.database}")
    finally:
        conn.close()


def migrate(plan: Plan) -> None:
    with open(plan.log_dir / "migrate.log", "ab") as log:
        done = subprocess.run([sys.executable, "-m", "services.metadata.migrate"], env=plan.env,
                              cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode != 0:
        sys.exit(f"migrate failed (exit {done.returncode}):\n{procs.tail(plan, 'migrate')}")


def up(plan: Plan) -> None:
    if procs.running(plan):
        sys.exit(f"already running under {procs.socket_path(plan)} (run `make down` first)")
    for d in (plan.run_dir, plan.log_dir):
        d.mkdir(parents=True, exist_ok=True)
    ensure_database(plan)
    migrate(plan)
    store = seaweedfs.for_deployment(plan.var, plan.env)
    store.prepare()
    for origin in (plan.origin, plan.ingress):
        if origin is not None:
            origin.write()
    procs.start(plan)  # supervisord, and SeaweedFS with it (the only `first` program)
    # Before the services: they create their blob store at start, and the bucket must exist.
    try:
        store.wait_ready(60, alive=lambda: procs.pid_of(plan, "seaweedfs") is not None)
    except RuntimeError as e:
        down(plan, quiet=True, kill_blobs=True)
        sys.exit(f"{e}; last lines of {plan.log_dir / 'seaweedfs'}.log:\n"
                 f"{procs.tail(plan, 'seaweedfs')}")
    procs.start_rest(plan)
    timeout = float(plan.env.get("UP_TIMEOUT") or 90)
    failed = procs.wait_ready(plan, timeout)
    if failed:
        state = procs.states(plan).get(failed)
        what = f"{state.state.lower()}, restarted {state.restarts}×" if state else "not started"
        print(f"{failed} not ready after {timeout:g}s ({what}); last lines of "
              f"{plan.log_dir / failed}.log:\n{procs.tail(plan, failed)}", file=sys.stderr)
        down(plan, quiet=True)
        sys.exit(1)
    ingress = f"; routed as the Ingress does at http://127.0.0.1:{plan.ingress.port}" \
        if plan.ingress else ""
    print(f"OnePic is up at http://127.0.0.1:{plan.env['PORT']}{ingress} "
          f"(logs {plan.log_dir}, `make status`, stop with `make down`)")


def down(plan: Plan, quiet: bool = False, kill_blobs: bool = False) -> None:
    """Stop everything; `kill_blobs`: SeaweedFS at once, not gracefully (its data goes next)."""
    if procs.stop(plan, kill_first=kill_blobs) and not quiet:
        print("stopped " + ", ".join(p.name for p in reversed(plan.processes)))
    seaweedfs.for_deployment(plan.var, plan.env).remove_sockets()


def status(plan: Plan) -> None:
    """One line per process: `<name> pid <pid>, ready|not ready, restarts N` while it runs,
    else supervisord's state for it."""
    now = procs.states(plan)
    width = max(len(p.name) for p in plan.processes) + 1
    for proc in plan.processes:
        state = now.get(proc.name)
        if state is None:
            print(f"{proc.name:{width}} stopped")
            continue
        if state.pid is None or state.state not in procs.ALIVE:
            line = state.state.lower()
        else:
            line = f"pid {state.pid}"
            if proc.ready_url is not None:
                line += ", ready" if procs.is_ready(proc.ready_url) else ", not ready"
            if state.state != "RUNNING":
                line += f", {state.state.lower()}"
        print(f"{proc.name:{width}} {line}, restarts {state.restarts}")


def purge(plan: Plan) -> None:
    """Stop, then remove the database, queues, Redis db and files `up` made."""
    from .purge import purge as remove_everything

    down(plan, quiet=True, kill_blobs=True)  # its data is deleted next: no need to wait for it
    remove_everything(plan)
    print(f"purged database {plan.database}, queues {plan.env['QUEUE_PREFIX']}.*, "
          f"{plan.env['CACHE_URL']} and {plan.var} (logs kept)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "purge"])
    args = parser.parse_args(argv)
    if args.command == "up":
        tools.ensure_nginx()  # before the plan names its binary
    {"up": up, "down": down, "status": status, "purge": purge}[args.command](build())


if __name__ == "__main__":
    main()
