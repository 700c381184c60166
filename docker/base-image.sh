#!/usr/bin/env bash
# Makes sure the base image of rocksraft's container images exists, locally (no image registry is
# reachable here or in CI), and prints its tag on stdout:
#   rocksraft-base:bookworm   Debian bookworm from `debootstrap --variant=minbase` with a JRE,
#                             iptables, iproute2 and procps, `docker import`ed. Built once per machine
#                             (a minute or two); later calls find it and return at once.
# Used by jepsen/docker/build-image.sh (the fault-injection node image, which needs iptables and
# iproute2) and docker/build-image.sh (the production node image, which removes them).
# Env: BASE_IMAGE (default rocksraft-base:bookworm), DEBIAN_MIRROR (debootstrap's default when unset).
# Needs root (debootstrap) and a Docker engine (jepsen/docker/ensure-docker.sh starts one).
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-rocksraft-base:bookworm}"

log() { echo "base-image: $*" >&2; }

present() { docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; }

if present; then
  echo "$BASE_IMAGE"
  exit 0
fi

# Two builds at once (parallel Maven modules) would both debootstrap: the second waits for the first.
exec 9>"/var/tmp/rocksraft-base-image.lock"
flock 9
if present; then
  echo "$BASE_IMAGE"
  exit 0
fi

command -v debootstrap >/dev/null || { log "debootstrap is missing: run jepsen/docker/ensure-docker.sh"; exit 1; }
work="$(mktemp -d /var/tmp/rocksraft-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
log "debootstrap bookworm (minbase + openjdk-17-jre-headless, iptables, iproute2, procps) into $work"
start=$SECONDS
# shellcheck disable=SC2086 # DEBIAN_MIRROR is empty or one word
debootstrap --variant=minbase --include=openjdk-17-jre-headless,iptables,iproute2,procps \
  bookworm "$work/rootfs" ${DEBIAN_MIRROR:-} >"$work/debootstrap.log" 2>&1 || {
  log "debootstrap failed; the end of its log:"; tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
# Nothing in the image needs the package caches.
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
log "debootstrap took $((SECONDS - start)) s; importing as $BASE_IMAGE"
tar -C "$work/rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$BASE_IMAGE" >/dev/null
log "base image built in $((SECONDS - start)) s"
echo "$BASE_IMAGE"
