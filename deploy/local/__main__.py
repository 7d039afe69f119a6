"""python -m deploy.local up|down|status|purge — see the package docstring."""
from __future__ import annotations

import argparse
import subprocess
import sys

from . import procs
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
    running = [p.name for p in plan.processes if procs.pid_of(plan, p.name)]
    if running:
        sys.exit(f"already running: {', '.join(running)} (run `make down` first)")
    for d in (plan.run_dir, plan.log_dir, plan.var / "blobs"):
        d.mkdir(parents=True, exist_ok=True)
    ensure_database(plan)
    migrate(plan)
    children = {p.name: procs.start(plan, p) for p in plan.processes}
    timeout = float(plan.env.get("UP_TIMEOUT") or 90)
    failed = procs.wait_ready(plan, children, timeout)
    if failed:
        state = "exited" if children[failed].poll() is not None else f"not ready after {timeout:g}s"
        print(f"{failed} {state}; last lines of {plan.log_dir / failed}.log:\n"
              f"{procs.tail(plan, failed)}", file=sys.stderr)
        down(plan, quiet=True)
        sys.exit(1)
    print(f"OnePic is up at http://127.0.0.1:{plan.env['PORT']} "
          f"(logs {plan.log_dir}, stop with `make down`)")


def down(plan: Plan, quiet: bool = False) -> None:
    # Front first, so nothing new arrives while the back ends finish in-flight work.
    for proc in reversed(plan.processes):
        if procs.stop(plan, proc.name) and not quiet:
            print(f"stopped {proc.name}")


def status(plan: Plan) -> None:
    for proc in plan.processes:
        pid = procs.pid_of(plan, proc.name)
        if pid is None:
            state = "stopped"
        elif proc.ready_url is None:
            state = f"pid {pid}"
        else:
            state = f"pid {pid}, {'ready' if procs.is_ready(proc.ready_url) else 'not ready'}"
        print(f"{proc.name:16} {state}")


def purge(plan: Plan) -> None:
    """Stop, then remove the database, queues, Redis db and files `up` made."""
    from .purge import purge as remove_everything

    down(plan, quiet=True)
    remove_everything(plan)
    print(f"purged database {plan.database}, queues {plan.env['QUEUE_PREFIX']}.*, "
          f"{plan.env['CACHE_URL']} and {plan.var} (logs kept)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.local", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "purge"])
    args = parser.parse_args(argv)
    {"up": up, "down": down, "status": status, "purge": purge}[args.command](build())


if __name__ == "__main__":
    main()
