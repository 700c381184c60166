#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, for the jepsen module's containers.
# Idempotent: does nothing when `docker info` already answers. Otherwise installs Debian's
# docker.io (and debootstrap, which builds the node image's base) when missing, starts dockerd in
# the background with its log in $DOCKERD_LOG, and waits until it answers.
# Needs root and Debian's package mirror; no image registry is used (none is reachable).
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DOCKERD_TIMEOUT="${DOCKERD_TIMEOUT:-60}"

log() { echo "ensure-docker: $*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null && engine_answers && command -v debootstrap >/dev/null; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "no Docker engine answers and installing one needs root; run as root or start dockerd yourself"
  exit 1
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian's packages"
  start=$SECONDS
  # A failing third-party source must not stop the install from Debian's own mirror.
  apt-get update -qq || log "apt-get update reported errors; trying the install anyway"
  # The packages' scripts would try to start the service through an init system that is not there.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed in $((SECONDS - start)) s"
fi

if engine_answers; then
  exit 0
fi

if pgrep -x dockerd >/dev/null; then
  log "dockerd is running but does not answer yet; waiting"
else
  # Flags, and why:
  #  --iptables=true: container port mappings and the bridge networks' NAT (the default, stated).
  #  --storage-driver: overlay2 where the kernel has overlayfs, otherwise vfs (slow, but always works).
  #  --host: only the local socket; nothing listens on a TCP port.
  driver=vfs
  if grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null; then
    driver=overlay2
  fi
  # The kernel must forward between the bridge and the host for mapped ports; dockerd sets it
  # too, but says so loudly when it cannot.
  sysctl -qw net.ipv4.ip_forward=1 2>/dev/null || true
  log "starting dockerd (storage driver $driver), log in $DOCKERD_LOG"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # setsid + nohup: dockerd outlives this script and the build that called it.
  setsid nohup dockerd --host=unix:///var/run/docker.sock --iptables=true --storage-driver="$driver" \
    >>"$DOCKERD_LOG" 2>&1 </dev/null &
fi

start=$SECONDS
until engine_answers; do
  if [ $((SECONDS - start)) -ge "$DOCKERD_TIMEOUT" ]; then
    log "dockerd did not answer within $DOCKERD_TIMEOUT s; the end of $DOCKERD_LOG:"
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  if ! pgrep -x dockerd >/dev/null; then
    log "dockerd exited; the end of $DOCKERD_LOG:"
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "dockerd answers after $((SECONDS - start)) s"
