#!/bin/sh
# A real container runtime for the container tests (as root, Debian 12): installs containerd and
# busybox-static, starts containerd in the background (unless it already answers), builds our tiny
# busybox OCI image (scripts/make-oci-image.sh; no registry needed) and imports it.
# Idempotent. Used by .ci/run; by hand: sh scripts/ci-containers.sh
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
IMAGE=docker.io/falcots/busybox:1.0
SOCK=/run/containerd/containerd.sock
LOG=${TMPDIR:-/tmp}/falco-ts-containerd.log

need=""
for p in containerd busybox-static bsdutils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

if ! ctr --timeout 5s version >/dev/null 2>&1; then
  # setsid: its own session, so it outlives this script; output to a log
  setsid containerd >"$LOG" 2>&1 < /dev/null &
  i=0
  until ctr --timeout 2s version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 60 ]; then
      echo "ci-containers: containerd did not start; its log ($LOG):" >&2
      tail -20 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
fi

if ! ctr image ls -q | grep -qx "$IMAGE"; then
  tar=$(mktemp "${TMPDIR:-/tmp}/falco-ts-image-XXXXXX.tar")
  sh scripts/make-oci-image.sh "$tar" "$IMAGE" >/dev/null
  ctr image import "$tar" >/dev/null
  rm -f "$tar"
fi
echo "ci-containers: containerd $(ctr --timeout 5s version 2>/dev/null | sed -n 's/^ *Version: *//p' | tail -1) running, image $IMAGE ready"
