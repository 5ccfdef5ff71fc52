#!/bin/bash
# Runs as root inside the guest (init.sh chroots into a tmpfs root over the host's /usr; the
# application is in /app, from the initramfs; scripts come from /proj, the project over 9p):
# loads the module built on the host (/out/falco_ts.ko), then captures workload.sh with
# `falco-ts capture --driver kmod` and again with `--driver ebpf` into /out/{kmod,ebpf}.scap
# (uncompressed, so sysdig -r reads them on the host). Checks along the way: the module refuses
# rmmod while a capture is attached and unloads cleanly after it. FT_MODE=kmod-only
# stops after the kmod capture; FT_MODE=fault (run.sh --fault) runs only kmod-smoke.py.
# Exit 0 = PASS.
set -u
OUT=/out
PROJ=/proj
APP=/app
MODE=${FT_MODE:-full}
TAG=scn
t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
log() { echo "guest[$(ms) ms]: $*" | tee -a $OUT/guest.log >&2; }
fail() { log "FAIL: $*"; exit 1; }

capture() {
  local d=$1 f=$OUT/$1.scap pid rc i
  rm -f "$f"
  node $APP/bin/falco-ts capture --driver "$d" -z none -w "$f" 2> "$OUT/$d.log" &
  pid=$!
  for i in $(seq 1 1200); do
    [ -e "$f" ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  [ -e "$f" ] || { wait $pid; cp /tmp/falco-ts-verifier-*.log $OUT/ 2>/dev/null; fail "$d: the capture did not start: $(cat "$OUT/$d.log")"; }
  log "$d: capture attached"
  if [ "$d" = kmod ]; then
    if rmmod falco_ts 2>/dev/null; then fail "kmod: rmmod succeeded while a capture was attached"; fi
    log "kmod: rmmod refused while attached (EBUSY)"
  fi
  bash $PROJ/scripts/guest/workload.sh $TAG > "$OUT/$d.workload.log" 2>&1 || fail "$d: workload failed: $(cat "$OUT/$d.workload.log")"
  sleep 0.5
  kill -INT $pid
  wait $pid
  rc=$?
  [ $rc = 0 ] || fail "$d: capture exited $rc: $(cat "$OUT/$d.log")"
  log "$d: $(tail -1 "$OUT/$d.log")"
}

: > $OUT/guest.log
uname -r > $OUT/uname
log "kernel $(uname -r), $(nproc) CPUs, mode $MODE"
if [ "$MODE" != fault ]; then
  node -e 0
  log "node started once (warm-up)"
fi
if [ "$MODE" = bench ]; then
  for i in 1 2; do node $APP/bin/falco-ts capture --help >/dev/null; log "capture --help"; done
  exit 0
fi
if [ "$MODE" != ebpf-only ]; then
  insmod $OUT/falco_ts.ko || fail "insmod falco_ts.ko"
  [ -c /dev/falco_ts ] || fail "/dev/falco_ts is missing after insmod"
  python3 $PROJ/scripts/guest/kmod-smoke.py > $OUT/kmod-smoke.log 2>&1 || fail "$(cat $OUT/kmod-smoke.log)"
  log "$(cat $OUT/kmod-smoke.log)"
  if [ "$MODE" = fault ]; then
    log PASS
    exit 0
  fi
  capture kmod
  rmmod falco_ts || fail "rmmod after the capture"
  log "kmod: unloaded"
  # a module of another interface version is refused with a clear error
  insmod $OUT/falco_ts-api99.ko || fail "insmod falco_ts-api99.ko"
  msg=$(node -e '
    try { require("/app/dist/src/capture/native.js").loadNative().openProbe({ driver: "kmod" }); console.log("opened"); }
    catch (e) { console.log(`${e.code}: ${e.message}`); }')
  rmmod falco_ts || fail "rmmod falco_ts-api99"
  case "$msg" in kmod-version:*) log "kmod api99: $msg" ;; *) fail "kmod api99: $msg" ;; esac
fi
if [ "$MODE" != kmod-only ]; then
  capture ebpf
fi
log PASS
exit 0
