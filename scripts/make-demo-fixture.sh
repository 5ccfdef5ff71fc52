#!/bin/sh
# Records fixtures/demo.scap with our own probe (root, after `npm run build`): captures while
# fixtures/falco-ts-demo runs with an empty environment, then keeps only that process tree.
set -eu
# Everything recorded descends from this script: run it with an empty environment, so no
# variable of the recording machine ends up in the committed trace.
if [ -z "${FALCO_TS_DEMO_CLEAN:-}" ]; then
  exec env -i FALCO_TS_DEMO_CLEAN=1 PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C sh "$0" "$@"
fi
cd "$(dirname "$0")/.."
raw=$(mktemp /tmp/falco-ts-demo-raw.XXXXXX)
./bin/falco-ts capture -w "$raw" -z none -q 'proc.name=falco-ts-demo or proc.aname=falco-ts-demo' &
cap=$!
sleep 4   # the probe takes about a second to load and attach
./fixtures/falco-ts-demo
sleep 1
kill -INT "$cap"
wait "$cap" || true
node scripts/scrub-trace.mjs "$raw" fixtures/demo.scap falco-ts-demo
rm -f "$raw"
./bin/falco-ts replay fixtures/demo.scap -r default
