"""bench/cpu.py: each process's CPU is counted once, under its own name."""
import subprocess
import sys
import time

from bench.cpu import CpuSplit

SPIN = "import time\nt = time.time()\nwhile time.time() - t < 1.0: pass"


def test_a_named_child_of_the_bench_is_not_counted_again_as_the_client():
    # The private Redis and RabbitMQ are the bench process's children: they were counted
    # both as themselves and inside the load generator's tree.
    busy = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        with CpuSplit({"server": busy.pid}, None, None) as split:
            time.sleep(1.3)
    finally:
        busy.wait()
    client = split.seconds["load generator (bench client and its watcher's queries)"]
    assert split.seconds["server"] > 0.5
    assert client < 0.3
