#!/usr/bin/env bash
# A Docker engine for `make image` and the image tests on a machine without systemd: installs
# Debian's docker.io (and debootstrap, for the base image) when missing, and starts dockerd in
# the background unless one answers already. Exit 0 once `docker info` works.
set -euo pipefail
cd "$(dirname "$0")/../.."
if docker info >/dev/null 2>&1; then
  exit 0
fi
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if ((${#missing[@]})); then
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo -n)
  echo "dockerd: installing ${missing[*]} (apt-get)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v docker >/dev/null || { echo "dockerd: no docker client" >&2; exit 1; }
mkdir -p var/image
echo "dockerd: starting (log var/image/dockerd.log)"
# setsid: the engine outlives this script and the test run that started it, like a service.
setsid dockerd >var/image/dockerd.log 2>&1 < /dev/null &
for _ in $(seq 60); do
  docker info >/dev/null 2>&1 && { echo "dockerd: up"; exit 0; }
  sleep 1
done
echo "dockerd: no answer after 60 s; last lines of var/image/dockerd.log:" >&2
tail -20 var/image/dockerd.log >&2
exit 1
