#!/bin/sh
# Packages for the guest-kernel tests (test/guest-probes.test.ts, scripts/guest/run.sh): qemu (TCG),
# Debian's kernel headers (the kernel module is built against them), busybox and cpio for the
# initramfs, kmod for depmod/modprobe -d. Idempotent; called by scripts/setup.sh.
set -eu
export DEBIAN_FRONTEND=noninteractive
need=""
for p in qemu-system-x86 linux-headers-amd64 busybox-static cpio kmod python3 make gcc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $need
fi
