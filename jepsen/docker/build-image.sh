#!/usr/bin/env bash
# Builds the images of the jepsen module's node containers, locally (no image registry is
# reachable here or in CI), and prints the node image's tag on stdout:
#   rocksraft-base:bookworm   Debian bookworm from `debootstrap --variant=minbase` with a JRE,
#                             iptables, iproute2 and procps, `docker import`ed; built once.
#   rocksraft-node:<hash>     the base + the node distribution (kv-server/target) + the files in
#                             node/; <hash> covers all of them, so it is rebuilt only when one changed.
# Usage: jepsen/docker/build-image.sh [DIST_DIR]   (default: kv-server/target of this checkout,
#        made by ./mvnw -DskipTests package -pl kv-server -am)
# Env: DEBIAN_MIRROR (debootstrap's default when unset), BASE_IMAGE (default rocksraft-base:bookworm).
# Needs root (debootstrap) and a Docker engine (see ensure-docker.sh).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIST="${1:-$ROOT/kv-server/target}"
BASE_IMAGE="${BASE_IMAGE:-rocksraft-base:bookworm}"
NODE_REPO=rocksraft-node

log() { echo "build-image: $*" >&2; }

# ---- the base image ----
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
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
  rm -rf "$work"
  trap - EXIT
  log "base image built in $((SECONDS - start)) s"
fi

# ---- the node image ----
JAR="$DIST/kv-server-0.1.0-SNAPSHOT.jar"
[ -f "$JAR" ] && [ -d "$DIST/lib" ] || {
  log "no node distribution in $DIST: build it with ./mvnw -DskipTests package -pl kv-server -am"; exit 1; }

context="$(mktemp -d /var/tmp/rocksraft-node.XXXXXX)"
trap 'rm -rf "$context"' EXIT
cp "$HERE"/node/* "$context/"
# Hard links where the file system allows: the libraries are large and only read.
cp -l "$JAR" "$context/kv-server.jar" 2>/dev/null || cp "$JAR" "$context/kv-server.jar"
cp -rl "$DIST/lib" "$context/lib" 2>/dev/null || cp -r "$DIST/lib" "$context/lib"
hash="$(cd "$context" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
tag="$NODE_REPO:$hash"

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  start=$SECONDS
  # The build's chatter (the CLI's note on the legacy builder among it) only matters on failure.
  docker build -q -t "$tag" "$context" >"$context.log" 2>&1 || {
    log "docker build failed:"; cat "$context.log" >&2; rm -f "$context.log"; exit 1; }
  rm -f "$context.log"
  log "built $tag in $((SECONDS - start)) s"
  # Older node images are garbage now; one still used by a container stays.
  docker image ls "$NODE_REPO" --format '{{.Repository}}:{{.Tag}}' | grep -vxF "$tag" \
    | xargs -r docker image rm >/dev/null 2>&1 || true
fi
echo "$tag"
