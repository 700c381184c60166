#!/usr/bin/env bash
# Makes the Docker build context of a node image in a new directory and prints that directory:
# the files of FILES_DIR (a Dockerfile and what it copies) plus the node distribution DIST
# (kv-server's jar as kv-server.jar, and its lib/). The caller removes the directory.
# Usage: docker/node-context.sh FILES_DIR [DIST]   (DIST default: kv-server/target of this checkout,
#        made by ./mvnw -B -DskipTests package -pl kv-server -am)
# Used by docker/build-image.sh (the production image) and jepsen/docker/build-image.sh.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
FILES="$1"
DIST="${2:-$ROOT/kv-server/target}"
JAR="$DIST/kv-server-0.1.0-SNAPSHOT.jar"

[ -f "$JAR" ] && [ -d "$DIST/lib" ] || {
  echo "node-context: no node distribution in $DIST: build it with ./mvnw -B -DskipTests package -pl kv-server -am" >&2
  exit 1
}
context="$(mktemp -d /var/tmp/rocksraft-image.XXXXXX)"
trap 'rm -rf "$context"' ERR
cp "$FILES"/* "$context/"
# Hard links where the file system allows: the libraries are large and only read.
cp -l "$JAR" "$context/kv-server.jar" 2>/dev/null || cp "$JAR" "$context/kv-server.jar"
cp -rl "$DIST/lib" "$context/lib" 2>/dev/null || cp -r "$DIST/lib" "$context/lib"
echo "$context"
