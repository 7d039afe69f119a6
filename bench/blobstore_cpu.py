"""python -m bench.blobstore_cpu [--rate 6] [--seconds 30] [--arg=-flag=value …] [--env K=V …]
                               [--ops put:BYTES,get:BYTES,head:BYTES] [--profile]

The blob store's CPU per upload, alone: a private SeaweedFS started as `make up` starts it
(deploy/local/seaweedfs.py, extra flags appended so they win), then, paced at --rate uploads/s,
what one 2 MP upload asks of it through shared/blobstore/s3.py: PUT the original (688 KB, the
write bench's photo) and HEAD it (upload's post-commit check), GET it and PUT four JPEG
variants (the resizer). Prints weed's CPU per upload (/proc utime + stime of its process,
which includes its idle work over the run, as the write bench counts it), its idle CPU per
second before the load, and this client's CPU per request; --ops measures single request kinds
instead, each alone at ten times the rate. With --profile, weed also runs with
its pprof endpoint and the top functions of a CPU profile taken during the load are printed."""
from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from deploy.local.seaweedfs import SeaweedFS, free_port_base, stop_group

_TICK = os.sysconf("SC_CLK_TCK")
# Bytes of the write bench's 2 MP original and of its JPEG variants (1024, 512, 256, 128 px),
# measured from bench.images.photo(1632, 1224).
ORIGINAL = 687_942
VARIANTS = (114_900, 25_546, 8_417, 3_015)


def _cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes):
    """(field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def _packed(wire: int, value) -> list[int]:
    if wire == 0:
        return [value]
    out, i = [], 0
    while i < len(value):
        v, i = _varint(value, i)
        out.append(v)
    return out


def _read_profile(raw: bytes) -> tuple[list[tuple[list[str], int]], int]:
    """The samples of a Go CPU profile (profile.proto): (stack innermost first, CPU ns)."""
    strings, functions, locations, samples = [], {}, {}, []
    for number, _wire, value in _fields(gzip.decompress(raw)):
        if number == 6:
            strings.append(value.decode(errors="replace"))
        elif number == 5:
            f = {k: v for k, _, v in _fields(value)}
            functions[f.get(1, 0)] = f.get(2, 0)
        elif number == 4:
            loc_id, funcs = 0, []
            for k, _, v in _fields(value):
                if k == 1:
                    loc_id = v
                elif k == 4:
                    funcs.append({a: b for a, _, b in _fields(v)}.get(1, 0))
            locations[loc_id] = funcs  # innermost (inlined) first
        elif number == 2:
            locs, vals = [], []
            for k, w, v in _fields(value):
                if k == 1:
                    locs += _packed(w, v)
                elif k == 2:
                    vals += _packed(w, v)
            samples.append((locs, vals[-1] if vals else 0))
    out = [([strings[functions[f]] for loc in locs for f in locations.get(loc, ())], value)
           for locs, value in samples]
    return out, sum(v for _, v in out) or 1


def print_profile(raw: bytes, groups: tuple[str, ...] = (), n: int = 25) -> None:
    """The top functions by own time, then each sample put in the first group (a function
    name part) its stack holds: where the CPU went, by handler and by background loop."""
    samples, total = _read_profile(raw)
    flat, grouped = Counter(), Counter()
    for names, value in samples:
        if names:
            flat[names[0]] += value
        stack = " ".join(names)
        group = next((g for g in groups if g in stack), None)
        grouped[group or " <- ".join(x.rsplit("/", 1)[-1] for x in names[-3:][::-1])] += value
    print(f"profile: {total / 1e9:.2f} s of CPU")
    for name, value in flat.most_common(n):
        print(f"  flat {100 * value / total:5.1f}%  {name}")
    for name, value in grouped.most_common(n):
        print(f"  in   {100 * value / total:5.1f}%  {name}")


GROUPS = ("PutObjectHandler", "GetObjectHandler", "HeadObjectHandler",
          "VolumeServer).PostHandler", "VolumeServer).GetOrHeadHandler",
          "UploadReaderInChunks", "FilerServer).AssignVolume", "FilerServer).CreateEntry",
          "FilerServer).LookupDirectoryEntry", "MasterServer)", "persistConn",
          "loopyWriter", "http2Client).reader", "http2Server).HandleStreams", "processRPC",
          "net/http.(*conn).serve", "gcBgMarkWorker", "runtime.mcall", "bgsweep")


def _paced(rate: float, seconds: float):
    """Indexes 0, 1, … each yielded at its scheduled time (open loop at `rate` a second)."""
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        wait = start + i / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        yield i


def _uploads(upload, resizer, pid: int, idle: float, rate: float, seconds: float) -> None:
    original = os.urandom(ORIGINAL)
    variants = [os.urandom(n) for n in VARIANTS]
    n, requests, client, walls = int(rate * seconds), 0, 0.0, []
    w0, start = _cpu(pid), time.monotonic()
    for i in _paced(rate, seconds):
        c, t = time.process_time(), time.monotonic()
        key = f"o/{i:06d}"
        upload.put(key, original, "image/jpeg")
        assert upload.exists(key)
        assert len(resizer.get(key)) == ORIGINAL
        for j, body in enumerate(variants):
            resizer.put(f"v/{i:06d}/{j}", body, "image/jpeg")
        client += time.process_time() - c
        walls.append(time.monotonic() - t)
        requests += 2 + 1 + len(variants)
    elapsed = time.monotonic() - start
    weed = _cpu(pid) - w0
    print(f"{n} uploads in {elapsed:.1f} s: weed {weed / n * 1000:.2f} ms of CPU per upload "
          f"({weed / requests * 1000:.2f} per request, {idle * elapsed / n * 1000:.2f} of it "
          f"idle work), client {client / requests * 1000:.3f} ms per request; one upload's "
          f"requests took p50 {_pct(walls, 50) * 1000:.1f}, p95 {_pct(walls, 95) * 1000:.1f} ms")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def _ops(op: str, store, pid: int, idle: float, rate: float, seconds: float) -> None:
    kind, _, size = op.partition(":")
    body = os.urandom(int(size or 1))
    if kind in ("get", "head"):
        store.put(f"one/{op}", body)
    count, client = int(rate * seconds), 0.0
    w0, start = _cpu(pid), time.monotonic()
    for i in _paced(rate, seconds):
        c = time.process_time()
        if kind == "put":
            store.put(f"ops/{op}/{i}", body, "image/jpeg")
        elif kind == "get":
            store.get(f"one/{op}")
        elif kind == "head":
            store.exists(f"one/{op}")
        else:
            raise ValueError(f"unknown op {op!r}")
        client += time.process_time() - c
    weed = _cpu(pid) - w0 - idle * (time.monotonic() - start)
    print(f"{op:>12}: weed {weed / count * 1000:.2f} ms of CPU per request above idle, "
          f"client {client / count * 1000:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.blobstore_cpu", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=6.0)
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--idle", type=float, default=10.0, help="seconds of idle measured first")
    p.add_argument("--arg", action="append", default=[], help="extra weed flag (repeatable)")
    p.add_argument("--env", action="append", default=[], help="extra weed env K=V")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--keep", action="store_true", help="leave weed's folder for a look")
    p.add_argument("--ops", default="", help="instead of uploads, each of these alone at 10x "
                   "the rate: put:BYTES,get:BYTES,head:BYTES (comma-separated)")
    args = p.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="weed-micro-"))
    store = SeaweedFS(root, free_port_base())
    extra = list(args.arg)
    debug_port = None
    if args.profile:
        debug_port = free_port_base(22000, 30000)
        extra += ["-debug", f"-debug.port={debug_port}"]
    store.prepare()
    env = store.process_env(dict(os.environ))
    env.update(kv.split("=", 1) for kv in args.env)
    log = open(root / "weed.log", "ab")
    proc = subprocess.Popen(store.argv() + extra, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        store.wait_ready(60, alive=lambda: proc.poll() is None)
        os.environ.update(dict(zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
                                   store.credentials())))
        from shared.blobstore.s3 import S3BlobStore

        upload = S3BlobStore.from_url(store.blob_url)    # two clients, as two services
        resizer = S3BlobStore.from_url(store.blob_url)
        # Warm both pools and weed's volume growth for the bucket, outside the measure.
        for i in range(5):
            upload.put(f"warm/{i}", os.urandom(ORIGINAL))
            resizer.get(f"warm/{i}")
        time.sleep(1)
        t0, c0 = time.monotonic(), _cpu(proc.pid)
        time.sleep(args.idle)
        idle = (_cpu(proc.pid) - c0) / (time.monotonic() - t0)
        print(f"weed {' '.join(extra)} {' '.join(args.env)}: idle {idle * 1000:.1f} ms/s")

        profile: list[bytes] = []
        if args.profile:
            secs = max(1, int(args.seconds) - 2)

            def grab():
                url = f"http://127.0.0.1:{debug_port}/debug/pprof/profile?seconds={secs}"
                with urllib.request.urlopen(url, timeout=secs + 30) as r:
                    profile.append(r.read())
            grabber = threading.Thread(target=grab)
            grabber.start()
        if args.ops:
            for op in args.ops.split(","):
                _ops(op, upload, proc.pid, idle, args.rate * 10, args.seconds)
        else:
            _uploads(upload, resizer, proc.pid, idle, args.rate, args.seconds)
        if args.profile:
            grabber.join()
            (root / "cpu.pprof").write_bytes(profile[0])
            print_profile(profile[0], GROUPS)
    finally:
        stop_group(proc.pid, 0)
        log.close()
        store.remove_sockets()
        if args.keep:
            print(f"kept {root}")
        else:
            import shutil
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
