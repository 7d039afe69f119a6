"""The reader of Go CPU profiles that bench/blobstore_cpu.py prints weed's CPU split from
(no Go toolchain here): a profile.proto built by hand, stacks and times read back."""
import gzip

from bench.blobstore_cpu import _read_profile, print_profile


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _profile() -> bytes:
    strings = ["", "main.leaf", "main.handler", "runtime.goexit"]
    msg = b"".join(_field(6, s.encode()) for s in strings)
    for fid in (1, 2, 3):  # function id → its name's string index
        msg += _field(5, _field(1, fid) + _field(2, fid))
    for lid in (1, 2, 3):  # location id → one line of function id
        msg += _field(4, _field(1, lid) + _field(4, _field(1, lid)))
    packed = lambda ids: b"".join(_varint(i) for i in ids)  # noqa: E731
    # Samples: stack innermost first (packed location ids), values (count, CPU ns), packed.
    msg += _field(2, _field(1, packed([1, 2, 3])) + _field(2, packed([3, 30_000_000])))
    msg += _field(2, _field(1, packed([2, 3])) + _field(2, packed([1, 10_000_000])))
    return gzip.compress(msg)


def test_stacks_and_cpu_time_read_back():
    samples, total = _read_profile(_profile())
    assert total == 40_000_000
    assert samples == [(["main.leaf", "main.handler", "runtime.goexit"], 30_000_000),
                       (["main.handler", "runtime.goexit"], 10_000_000)]


def test_split_by_own_time_and_by_group(capsys):
    print_profile(_profile(), groups=("main.handler",))
    out = capsys.readouterr().out
    assert "0.04 s of CPU" in out
    assert "flat  75.0%  main.leaf" in out and "flat  25.0%  main.handler" in out
    assert "in   100.0%  main.handler" in out
