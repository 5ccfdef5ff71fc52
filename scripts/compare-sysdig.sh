#!/bin/sh
# Compare `falco-ts replay` with `sysdig -r` on one or more traces (both with TZ=UTC).
# Prints per file: identical lines / sysdig lines, and with -d the first differing lines.
# Usage: scripts/compare-sysdig.sh [-d] [-a 'extra args'] FILE...
show=0; extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) show=1; shift;;
    -a) extra="$2"; shift 2;;
    *) break;;
  esac
done
root=$(dirname "$0")/..
for f in "$@"; do
  b=$(basename "$f")
  TZ=UTC sysdig -r "$f" $extra > /tmp/cmp.sysdig.$b 2>/dev/null
  TZ=UTC "$root/bin/falco-ts" replay "$f" $extra > /tmp/cmp.ours.$b 2>/tmp/cmp.err.$b
  total=$(wc -l < /tmp/cmp.sysdig.$b)
  same=$(diff /tmp/cmp.sysdig.$b /tmp/cmp.ours.$b | grep -c '^<')
  echo "$b: $((total - same))/$total identical (ours: $(wc -l < /tmp/cmp.ours.$b) lines) $(head -c 150 /tmp/cmp.err.$b)"
  if [ $show = 1 ]; then diff /tmp/cmp.sysdig.$b /tmp/cmp.ours.$b | head -${DIFFLINES:-20}; fi
done
