#!/usr/bin/env bash
# A Debian bookworm base image without a registry: debootstrap (minbase, with python3 and
# python3-venv already in it, since a container build here has no network) into a folder,
# tar it once into $IMAGE_CACHE_DIR (default var/image/, kept between runs; .ci/run points
# it outside the clone so CI runs share it), and `docker import` it.
# Usage: deploy/image/base.sh [image name]  (default local/debian:bookworm-python)
set -euo pipefail
cd "$(dirname "$0")/../.."
image=${1:-local/debian:bookworm-python}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache_dir=${IMAGE_CACHE_DIR:-var/image}
cache=$cache_dir/debootstrap-bookworm-python.tar
packages=python3,python3-venv

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base: $image exists"
  exit 0
fi
if [[ ! -s $cache ]]; then
  command -v debootstrap >/dev/null || { echo "base: debootstrap is not installed" >&2; exit 1; }
  mkdir -p "$cache_dir"
  root=$(mktemp -d "$cache_dir/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  echo "base: debootstrap bookworm ($packages) into $root"
  debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" \
    > "$cache_dir/debootstrap.log" 2>&1 || { tail -20 "$cache_dir/debootstrap.log" >&2; exit 1; }
  # apt's lists and caches are not needed in an image; nothing inside runs apt.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . > "$cache.tmp"
  mv "$cache.tmp" "$cache"
fi
echo "base: docker import $cache as $image"
docker import "$cache" "$image" >/dev/null
