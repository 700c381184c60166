#!/usr/bin/env bash
# Builds the production node image (docker/node/Dockerfile), locally, and prints its tag on stdout.
# Usage: docker/build-image.sh [TAG]   (default rocksraft:<project version>, the Helm chart's default)
# Env:   BASE_IMAGE  the image to build on (default rocksraft-base:bookworm, made here by
#                    docker/base-image.sh when missing; e.g. eclipse-temurin:17-jre to use a registry's)
#        DIST        the node distribution (default kv-server/target of this checkout, made by
#                    ./mvnw -B -DskipTests package -pl kv-server -am; see node-context.sh)
# Needs a Docker engine (jepsen/docker/ensure-docker.sh), and root for the default base's debootstrap.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
VERSION=0.1.0-SNAPSHOT
TAG="${1:-rocksraft:$VERSION}"
DIST="${DIST:-$ROOT/kv-server/target}"
BASE_IMAGE="${BASE_IMAGE:-rocksraft-base:bookworm}"

log() { echo "build-image: $*" >&2; }

if [ "$BASE_IMAGE" = rocksraft-base:bookworm ]; then
  "$HERE/base-image.sh" >/dev/null
fi

context="$("$HERE/node-context.sh" "$HERE/node" "$DIST")"
trap 'rm -rf "$context" "$context.log"' EXIT

previous="$(docker image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)"
start=$SECONDS
# Docker's layer cache makes a rebuild of unchanged files take a second or two. The build's
# chatter only matters on failure.
docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$TAG" "$context" >"$context.log" 2>&1 || {
  log "docker build failed:"; cat "$context.log" >&2; exit 1; }
current="$(docker image inspect --format '{{.Id}}' "$TAG")"
log "$TAG is $current (built in $((SECONDS - start)) s)"
# The image this tag named before is garbage now, unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
echo "$TAG"
