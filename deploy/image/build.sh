#!/usr/bin/env bash
# make image: build onepic:<version> hermetically. The wheels of the project and of every
# dependency, for the image's platform (CPython 3.11 — bookworm's python3 — on manylinux
# x86_64), are fetched here on the host into a build context of their own; the Dockerfile
# installs them with --no-index. Usage: deploy/image/build.sh [BASE_IMAGE]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
version=$($PY -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
tag=${IMAGE_TAG:-onepic:$version}
base=${1:-${BASE_IMAGE:-debian:bookworm-slim}}
ctx=var/image/context
rm -rf "$ctx" && mkdir -p "$ctx/wheels"

# Every wheel the project needs, fetched (or, for the few published as source only, built)
# by the host's pip — the host's interpreter must be the image's (CPython 3.11, x86_64
# Linux) — then checked against the image's platform tags, so an incompatible wheel fails
# here and not inside the build.
$PY - <<'PY'
import platform, sys
if sys.version_info[:2] != (3, 11) or platform.machine() != "x86_64" or sys.platform != "linux":
    sys.exit(f"image: wheels must be made by CPython 3.11 on x86_64 Linux (bookworm's python3), "
             f"not {platform.python_implementation()} {platform.python_version()} {platform.machine()}")
PY
$PY -m pip wheel --quiet --wheel-dir "$ctx/wheels" .
# What applies on the image's exact interpreter but not on the host's (see check_wheels.py),
# binary only, for the image's platform; repeated until nothing is missing.
platforms=()
for minor in 17 28 31 34 35 36; do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform linux_x86_64)
for _ in 1 2 3 4 5; do
  missing=$($PY deploy/image/check_wheels.py "$ctx/wheels")
  [[ -z $missing ]] && break
  echo "image: for bookworm's python3 also: $(echo $missing)"
  # shellcheck disable=SC2086
  $PY -m pip download --quiet --only-binary=:all: "${platforms[@]}" --python-version 3.11 \
    --implementation cp --abi cp311 --dest "$ctx/wheels" $missing
done
[[ -z $($PY deploy/image/check_wheels.py "$ctx/wheels") ]]
echo "image: $(ls "$ctx/wheels" | wc -l) wheels, $(du -sh "$ctx/wheels" | cut -f1); base $base"
docker build --quiet --build-arg "BASE_IMAGE=$base" -f Dockerfile -t "$tag" "$ctx" >/dev/null
echo "image: built $tag"
