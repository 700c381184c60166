#!/usr/bin/env bash
# Makes sure Debian's etcd-server (3.4.23, /usr/bin/etcd) is installed, for the bench module's
# comparison runs and tests. Idempotent: does nothing when /usr/bin/etcd exists. Installing needs
# root and Debian's package mirror. The package's scripts would start an etcd service through an
# init system; none runs here, and the bench starts its own etcd processes on loopback anyway.
set -euo pipefail

ETCD=/usr/bin/etcd

log() { echo "ensure-etcd: $*" >&2; }

if [ -x "$ETCD" ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "$ETCD is missing and installing Debian's etcd-server needs root; run as root or: apt-get install etcd-server"
  exit 1
fi

log "installing etcd-server from Debian's packages"
start=$SECONDS
# A failing third-party source must not stop the install from Debian's own mirror.
apt-get update -qq || log "apt-get update reported errors; trying the install anyway"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server >/dev/null
if [ ! -x "$ETCD" ]; then
  log "etcd-server installed but $ETCD is not there"
  exit 1
fi
# An init system, where there is one, may have started the packaged service on the default
# ports (2379/2380); the bench uses its own ports, so it does not matter, but say so.
if pgrep -x etcd >/dev/null; then
  log "note: an etcd process is running (the package's service?); the bench uses other ports"
fi
log "installed $("$ETCD" --version | head -n 1) in $((SECONDS - start)) s"
