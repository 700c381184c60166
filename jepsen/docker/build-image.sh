#!/usr/bin/env bash
# Builds the images of the jepsen module's node containers, locally (no image registry is
# reachable here or in CI), and prints the node image's tag on stdout:
#   rocksraft-base:bookworm   Debian bookworm from `debootstrap --variant=minbase` with a JRE,
#                             iptables, iproute2 and procps, `docker import`ed; built once, by
#                             docker/base-image.sh (the production image shares it).
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

# ---- the base image (shared with the production image: docker/base-image.sh) ----
BASE_IMAGE="$BASE_IMAGE" "$ROOT/docker/base-image.sh" >/dev/null

# ---- the node image ----
context="$("$ROOT/docker/node-context.sh" "$HERE/node" "$DIST")"
trap 'rm -rf "$context"' EXIT
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
