"""The wheel set of the image, checked against the image's interpreter (Debian bookworm's
CPython 3.11.2 on glibc 2.36, x86_64) rather than the host's:

- every file must carry a tag that interpreter installs;
- every requirement that applies *there* must be in the set. pip evaluates environment
  markers against the interpreter it runs on, so a host's newer 3.11 skips what 3.11.2 needs
  (redis: async-timeout for python_full_version < "3.11.3"). Those names are printed, one a
  line, for build.sh to fetch; exit 1 for an unusable wheel.
"""
from __future__ import annotations

import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

PLATFORMS = [f"manylinux_2_{m}_x86_64" for m in range(36, 16, -1)] + [
    "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]
SUPPORTED = set(cpython_tags((3, 11), ["cp311", "abi3", "none"], PLATFORMS)) | set(
    compatible_tags((3, 11), "cp311", PLATFORMS))
IMAGE = {"python_version": "3.11", "python_full_version": "3.11.2", "os_name": "posix",
         "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64",
         "implementation_name": "cpython", "platform_python_implementation": "CPython",
         "implementation_version": "3.11.2", "platform_release": "", "platform_version": ""}


def _requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(z.read(name).decode())
    return [Requirement(r) for r in meta.get_all("Requires-Dist") or []]


def main(folder: str) -> int:
    wheels = sorted(Path(folder).glob("*.whl"))
    bad = [w.name for w in wheels if not (parse_wheel_filename(w.name)[3] & SUPPORTED)]
    bad += [f.name for f in Path(folder).iterdir() if f.suffix != ".whl"]
    if bad:
        print("image: not installable on bookworm's CPython 3.11: " + ", ".join(bad),
              file=sys.stderr)
        return 1
    have = {parse_wheel_filename(w.name)[0] for w in wheels}
    missing = set()
    for w in wheels:
        for req in _requirements(w):
            # No extras are installed in the image, so a marker naming one never applies.
            applies = req.marker is None or req.marker.evaluate({**IMAGE, "extra": ""})
            if applies and canonicalize_name(req.name) not in have:
                missing.add(str(req).split(";")[0].strip())
    for req in sorted(missing):
        print(req)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
