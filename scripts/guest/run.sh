#!/bin/bash
# Proves both probes on Debian's kernel in a qemu TCG guest (issue 9):
#   1. KVER from the linux-headers-amd64 metapackage; apt-get download of the matching
#      linux-image, extracted once into the cache, its vmlinux uncompressed (PVH boot);
#   2. the module built against /usr/src/linux-headers-$KVER (make -C ... M=native/kmod);
#   3. a busybox initramfs with the guest's 9p/virtio modules and init.sh;
#   4. qemu-system-x86_64 -accel tcg, the host's /usr, the project (read-only) and the output
#      folder shared over 9p; the guest runs scenario.sh (kmod and eBPF captures of workload.sh)
#      and writes OUT/kmod.scap, OUT/ebpf.scap, OUT/guest.log; qemu's console goes to OUT/console.log.
# Everything runs under `timeout`; oops=panic turns a module oops into a failed run at once.
#
# Usage: scripts/guest/run.sh [--out DIR] [--fault oops|hang] [--timeout SECS]
#   --fault: boot a module built with FT_FAULT_INJECT (oops or spin in its sys_enter probe);
#            the run must then fail (tests prove a broken module cannot pass).
# Needs root (9p passthrough of /usr), the project built (npm run build, build:native) and
# scripts/guest/setup.sh's packages. Cache: $FT_GUEST_CACHE (default /var/tmp/falco-ts-guest; not under build/, which cmake-js may wipe).
# Exit: 0 guest PASS; 1 guest FAIL; 2 set-up error; 3 kernel panic/oops; 4 timeout (hang).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/scripts/guest
CACHE=${FT_GUEST_CACHE:-/var/tmp/falco-ts-guest}
OUT=$CACHE/out
FAULT=""
MODE=full
TIMEOUT=${FT_GUEST_TIMEOUT:-300}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift 2 ;;
    --fault) FAULT=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --mode) MODE=$2; shift 2 ;;  # debugging: full, kmod-only, ebpf-only
    *) echo "usage: $0 [--out DIR] [--fault oops|hang] [--timeout SECS]" >&2; exit 2 ;;
  esac
done
T0=$(date +%s%N)
step() { echo "guest-run[$(( ($(date +%s%N) - T0) / 1000000 )) ms]: $*" >&2; }
die() { echo "guest-run: $*" >&2; exit 2; }

for c in qemu-system-x86_64 dpkg-deb apt-get depmod modprobe cpio busybox python3 make timeout; do
  command -v $c >/dev/null 2>&1 || die "$c is missing (sh scripts/guest/setup.sh installs what this needs)"
done
[ "$(id -u)" = 0 ] || die "must run as root"
[ -f "$ROOT/dist/src/cli/main.js" ] || die "the project is not built (npm run build)"
[ -f "$ROOT/build/Release/falco_ts_native.node" ] || die "the native addon is not built (npm run build:native)"

# 1. the kernel: headers installed, image downloaded to match
# FT_GUEST_KVER: another installed Debian kernel (e.g. 6.12.107+deb12-amd64: apt-get install linux-headers-6.12.107+deb12-amd64)
KVER=${FT_GUEST_KVER:-$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null | sed -n 's/.*linux-headers-\([0-9][^ ,]*\).*/\1/p')}
[ -n "$KVER" ] || die "cannot read the kernel version from linux-headers-amd64 (apt-get install linux-headers-amd64)"
HDR=/usr/src/linux-headers-$KVER
[ -d "$HDR" ] || die "$HDR is missing"
KVERSION=$(dpkg-query -W -f='${Version}' "linux-headers-$KVER")
KIMG=$CACHE/kernel-$KVER
mkdir -p "$CACHE"
if [ ! -f "$KIMG/vmlinux" ]; then
  step "downloading linux-image-$KVER ($KVERSION)"
  DL=$CACHE/dl
  rm -rf "$DL" "$KIMG.part" && mkdir -p "$DL"
  get() { (cd "$DL" && { apt-get download -q "linux-image-$KVER=$KVERSION" 2>/dev/null || apt-get download -q "linux-image-$KVER"; }) >&2; }
  get || { apt-get update -qq >&2 && get; } ||
    die "apt-get download linux-image-$KVER failed (the image matching linux-headers-$KVER $KVERSION)"
  mkdir -p "$KIMG.part/full"
  dpkg-deb -x "$DL"/linux-image-"$KVER"_*.deb "$KIMG.part/full"
  depmod -b "$KIMG.part/full" "$KVER"
  # the uncompressed ELF boots ~2 s faster under TCG (PVH entry); kernels compressed with a
  # codec Python lacks (zstd, 6.12) boot as the bzImage itself
  python3 "$HERE/extract-vmlinux.py" "$KIMG.part/full/boot/vmlinuz-$KVER" "$KIMG.part/vmlinux" ||
    cp "$KIMG.part/full/boot/vmlinuz-$KVER" "$KIMG.part/vmlinux"
  # keep only the modules the initramfs needs (the package holds ~390 MB of them)
  mkdir -p "$KIMG.part/mods"
  : > "$KIMG.part/mods/order"
  for name in virtio_pci 9pnet_virtio 9p; do
    for m in $(modprobe -d "$KIMG.part/full" -S "$KVER" --show-depends "$name" | awk '$1 == "insmod" { print $2 }'); do
      grep -qx "$(basename "$m")" "$KIMG.part/mods/order" && continue
      cp "$m" "$KIMG.part/mods/"
      basename "$m" >> "$KIMG.part/mods/order"
    done
  done
  rm -rf "$KIMG.part/full" "$DL"
  mv "$KIMG.part" "$KIMG"
  step "kernel $KVER ready in $KIMG"
fi

# 2. the module
mkdir -p "$OUT"
rm -f "$OUT"/*.scap "$OUT"/falco-ts-verifier-*.log "$OUT"/guest.log "$OUT"/console.log "$OUT"/falco_ts*.ko
if [ -z "$FAULT" ]; then
  make -s -C "$HDR" M="$ROOT/native/kmod" modules >"$OUT/kmod-build.log" 2>&1 ||
    { cat "$OUT/kmod-build.log" >&2; die "module build failed"; }
  cp "$ROOT/native/kmod/falco_ts.ko" "$OUT/falco_ts.ko"
  # a module speaking another interface version: the addon must refuse it
  BD=$CACHE/api99
  rm -rf "$BD" && mkdir -p "$BD"
  cp "$ROOT"/native/kmod/{main.c,Kbuild,ft_kmod.h} "$BD/"
  make -s -C "$HDR" M="$BD" FT_PROBE="$ROOT/native/probe" KCFLAGS="-DFT_KMOD_API=99" modules >>"$OUT/kmod-build.log" 2>&1 ||
    { cat "$OUT/kmod-build.log" >&2; die "api99 module build failed"; }
  cp "$BD/falco_ts.ko" "$OUT/falco_ts-api99.ko"
else
  case "$FAULT" in oops) F=1 ;; hang) F=2 ;; *) die "--fault: oops or hang" ;; esac
  FD=$CACHE/fault-$FAULT
  rm -rf "$FD" && mkdir -p "$FD"
  cp "$ROOT"/native/kmod/{main.c,Kbuild,ft_kmod.h} "$FD/"
  make -s -C "$HDR" M="$FD" FT_PROBE="$ROOT/native/probe" KCFLAGS="-DFT_FAULT_INJECT=$F" modules >"$OUT/kmod-build.log" 2>&1 ||
    { cat "$OUT/kmod-build.log" >&2; die "fault module build failed"; }
  cp "$FD/falco_ts.ko" "$OUT/falco_ts.ko"
fi
step "module built against $HDR"

# 3. the initramfs (per run: runs may go in parallel)
IR=$(mktemp -d "$CACHE/initramfs.XXXXXX")
trap 'rm -rf "$IR" "$IR.cpio.gz"' EXIT
mkdir -p "$IR/bin" "$IR/mods"
cp "$(command -v busybox)" "$IR/bin/busybox"
cp "$KIMG"/mods/* "$IR/mods/"
cp "$HERE/init.sh" "$IR/init"
chmod +x "$IR/init"
# the application (bin, dist/src, the addon, runtime node_modules) goes into the initramfs:
# loading ~100 scripts over 9p costs tens of seconds under TCG, from tmpfs a fraction of it
mkdir -p "$IR/app/build/Release" "$IR/app/node_modules"
cp -r "$ROOT/bin" "$ROOT/package.json" "$ROOT/rules" "$IR/app/"
(cd "$ROOT" && find dist/src -name '*.js' | cpio -pdm --quiet "$IR/app")
cp "$ROOT/build/Release/falco_ts_native.node" "$IR/app/build/Release/"
for m in $(cd "$ROOT" && node -e '
  const fs = require("fs"), path = require("path"), seen = new Set();
  const visit = (dir) => {
    const pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const d of Object.keys(pj.dependencies || {})) {
      if (d === "cmake-js" || d === "node-addon-api" || seen.has(d)) continue;
      seen.add(d);
      visit(path.join("node_modules", d));
    }
  };
  visit(".");
  console.log([...seen].join("\n"));'); do
  mkdir -p "$IR/app/node_modules/$(dirname "$m")"
  cp -r "$ROOT/node_modules/$m" "$IR/app/node_modules/$m"
done
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1) > "$IR.cpio.gz"

# 4. boot
[ -n "$FAULT" ] && MODE=fault
step "booting $KVER under TCG (timeout ${TIMEOUT}s)"
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu "${FT_GUEST_CPU:-Nehalem}" -smp 2 -m 1536 -nographic -no-reboot -net none \
  -kernel "$KIMG/vmlinux" -initrd "$IR.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 oops=panic ft.mode=$MODE" \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -fsdev local,id=usr,path=/usr,security_model=none,readonly=on -device virtio-9p-pci,fsdev=usr,mount_tag=usr \
  -fsdev local,id=proj,path="$ROOT",security_model=none,readonly=on -device virtio-9p-pci,fsdev=proj,mount_tag=proj \
  -fsdev local,id=out,path="$OUT",security_model=none -device virtio-9p-pci,fsdev=out,mount_tag=out \
  </dev/null >"$OUT/console.log" 2>&1
RC=$?
set -e
step "qemu exited $RC"
[ -f "$OUT/guest.log" ] && sed 's/^/  /' "$OUT/guest.log" >&2
case $RC in
  1) step "PASS"; exit 0 ;;
  3) echo "guest-run: FAIL (the guest scenario failed; see $OUT/guest.log, $OUT/console.log)" >&2; exit 1 ;;
  124|137) echo "guest-run: FAIL: timeout after ${TIMEOUT}s (hang or deadlock); console:" >&2; tail -20 "$OUT/console.log" >&2; exit 4 ;;
  *)
    if grep -qE 'Kernel panic|Oops|BUG:' "$OUT/console.log"; then
      echo "guest-run: FAIL: kernel oops/panic (qemu rc $RC):" >&2
      grep -E -m 5 'Kernel panic|Oops|BUG:|RIP:' "$OUT/console.log" >&2
      exit 3
    fi
    echo "guest-run: FAIL: qemu exited $RC without a verdict; console:" >&2
    tail -20 "$OUT/console.log" >&2
    exit 1 ;;
esac
