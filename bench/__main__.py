"""python -m bench [--quick] [--out DIR] [--only render,defaults,unknown,write,peer,propagation,pipeline]

Starts a private OnePic (bench/system.py), puts a user with a ready picture and a verified
email in it, runs each suite, prints one table and writes <out>/bench[-quick].json and
<out>/bench[-quick]-latency.png. Quick mode (run by the test suite so the harness cannot rot)
measures for moments only: its numbers prove the harness works, not how fast anything is."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import images, report, servers
from .system import System
from .tools import RESULTS, ensure_tools

SUITES = ("render", "defaults", "unknown", "write", "peer", "propagation", "pipeline")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--only", default=",".join(SUITES))
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    ensure_tools()
    started = time.time()
    rows, dists, notes = [], {}, []
    private = None
    if not args.quick and servers.available():
        print("bench: starting private Redis and RabbitMQ", flush=True)
        private = [servers.Redis()]
        private.append(servers.RabbitMQ())
    print("bench: starting OnePic (deploy.local) with a user and a ready picture", flush=True)
    try:
        system = System(args.quick, private and {
            "UP_REDIS": private[0].url, "BROKER_URL": private[1].url}).up()
        system.servers = {"redis": private[0].pid, "rabbitmq": private[1].pid} if private else {}
    except BaseException:
        for server in private or ():
            server.stop()
        raise
    try:
        token = system.sign_up("benchuser", "bench@example.com")
        email_hash = system.verify_email(token, "bench@example.com")
        original = images.photo(4000, 3000)   # 12 MP, the peer's and pipeline's size too
        photo = system.upload(token, original)
        system.activate(token, photo["id"])
        system.wait_ready(token, photo["id"])
        names = {"username": "benchuser", "email_hash": email_hash, "photo_id": photo["id"]}
        if "render" in only:
            print("bench: render", flush=True)
            from . import render
            got, d = render.run(system, args.quick, names)
            rows += got
            dists.update(d)
        if "defaults" in only:
            print("bench: defaults", flush=True)
            from . import defaults
            got, note = defaults.run(system, args.quick)
            rows += got
            notes += note
        if "unknown" in only:
            print("bench: unknown names", flush=True)
            from . import unknown
            rows += unknown.run(system, args.quick)
        if "peer" in only:
            print("bench: peer", flush=True)
            from . import peer
            got, note = peer.run(system, args.quick, names, original)
            rows += got
            notes += note
        # Not in quick mode (yet): tests/integration/test_bench_quick.py has a fixed budget.
        if "propagation" in only and not args.quick:
            print("bench: propagation", flush=True)
            from . import propagation
            rows += propagation.run(system, args.quick)
        if "write" in only:
            print("bench: write", flush=True)
            from . import write
            rows += write.run(system, args.quick)
    finally:
        system.down()
        for server in private or ():
            server.stop()
    if "pipeline" in only:
        print("bench: pipeline", flush=True)
        try:
            from . import pipeline
        except ImportError as e:
            notes.append(f"pipeline suite not run: {e}")
        else:
            rows += pipeline.run(quick=args.quick)
    name = "bench-quick" if args.quick else "bench"
    result = {"mode": "quick" if args.quick else "full", "started": started,
              "seconds": round(time.time() - started, 1), "machine": report.machine(),
              "rows": rows, "distributions": dists, "notes": notes}
    print(report.table(rows))
    for note in notes:
        print("note:", note)
    path, png = report.write(args.out, name, result)
    print(f"wrote {path}" + (f" and {png}" if png else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
