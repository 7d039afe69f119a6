"""make_variants in a child process the resizer can kill: the per-image time and memory budget.

An image that stalls libvips, eats memory or crashes it (a segfault in a decoder) must cost
one attempt, not the worker: the child is long-lived (no start-up per image), gets the
original over a pipe, and answers the variants or the rejection. The parent watches the
clock and the child's resident memory (/proc, every 20 ms) and kills it past either budget;
the next image gets a fresh child.

Outcomes: variants; ImageRejected (the bytes can never be decoded: permanent); BudgetExceeded
or WorkerCrashed (counted as a failed delivery; past the delivery limit the image is
dead-lettered and its photo becomes `failed`). libvips running out of memory is not
"corrupt": it is reported as BudgetExceeded("memory"), retried like any failed delivery.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import time

from shared.images import ImageRejected, Variant

log = logging.getLogger(__name__)

_PAGE = os.sysconf("SC_PAGE_SIZE")
_WATCH = 0.02
# A fresh child imports libvips before it can work; that is not the image's time.
_STARTUP_TIMEOUT = 60.0


class BudgetExceeded(RuntimeError):
    """The image took more time or memory than one image may."""

    def __init__(self, what: str, detail: str):
        super().__init__(f"{what} budget exceeded: {detail}")
        self.what = what


class WorkerCrashed(RuntimeError):
    """The child died while making the variants (a crash in libvips or a decoder)."""


def _child(conn) -> None:
    """The child's loop: original bytes in, ("ok", variants) | ("rejected", …) | ("error", …)."""
    from shared.images.variants import make_variants  # imports pyvips in the child only
    from shared.images.vips import pyvips

    # One libvips thread: the resizer's parallelism is its consumers, each with a child, and on
    # a busy machine libvips' own worker threads only add hand-offs (a 2 MP variant set: 51
    # against 61 ms of CPU, the same wall time; bench `pipeline` rows).
    pyvips.concurrency_set(1)
    conn.send("ready")  # the parent's clock starts after our start-up, not during it
    while True:
        try:
            original = conn.recv_bytes()
        except (EOFError, OSError):
            return  # the parent is gone
        try:
            reply = ("ok", make_variants(original))
        except ImageRejected as e:
            reply = ("rejected", e.status, e.code, e.message)
        except MemoryError:
            reply = ("memory", "MemoryError")
        except pyvips.Error as e:
            text = str(e)
            reply = ("memory" if "memory" in text.lower() else "error", text[:300])
        except Exception as e:  # noqa: BLE001 - reported to the parent, which decides
            reply = ("error", f"{type(e).__name__}: {str(e)[:300]}")
        conn.send(reply)


class VariantWorker:
    """Runs make_variants in a child within `timeout` seconds and `max_rss` bytes."""

    def __init__(self, timeout: float, max_rss: int):
        self.timeout, self.max_rss = timeout, max_rss
        self._ctx = mp.get_context("spawn")  # no fork of a threaded parent (pika, http)
        self._proc = None
        self._conn = None

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_child, args=(child,), name="resizer-variants",
                                       daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        try:
            started = parent.poll(_STARTUP_TIMEOUT) and parent.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            self._kill()
            raise WorkerCrashed("variant worker did not start")

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        self._kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def make_variants(self, original: bytes) -> list[Variant]:
        if self._proc is None or not self._proc.is_alive():
            self._kill()
            self._start()
        deadline = time.monotonic() + self.timeout
        try:
            self._conn.send_bytes(original)
            while not self._conn.poll(_WATCH):
                if not self._proc.is_alive():
                    raise WorkerCrashed(f"variant worker died (exit {self._proc.exitcode})")
                if time.monotonic() > deadline:
                    raise BudgetExceeded("time", f"over {self.timeout:g} s")
                rss = _rss(self._proc.pid)
                if rss > self.max_rss:
                    raise BudgetExceeded("memory", f"{rss >> 20} MB resident, over "
                                                   f"{self.max_rss >> 20} MB")
            reply = self._conn.recv()
        except (BudgetExceeded, WorkerCrashed):
            self._kill()
            raise
        except (EOFError, OSError) as e:
            self._kill()
            raise WorkerCrashed(f"variant worker died ({type(e).__name__})") from None
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "rejected":
            raise ImageRejected(*reply[1:])
        # A libvips error: the child may be in a bad state, so it is replaced.
        self._kill()
        if kind == "memory":
            raise BudgetExceeded("memory", reply[1])
        raise WorkerCrashed(f"variant worker failed: {reply[1]}")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0
