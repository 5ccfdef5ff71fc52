#!/bin/sh
# Records fixtures/syslog/syslog.scap with our own probe (root, after `npm run build`): the
# scenario fixtures/syslog/ft-syslog.py under env -i, captured with a filter on its process,
# scrubbed to its process tree (scripts/scrub-trace.mjs).
set -eu
cd "$(dirname "$0")/.."
out=fixtures/syslog/syslog.scap
cp fixtures/syslog/ft-syslog.py /run/ft-syslog
./bin/falco-ts capture -w "$out.raw" -z lz4 -M 4 'proc.name=ft-syslog' &
cap=$!
sleep 1.5
(cd / && env -i PATH=/usr/bin:/bin LANG=C /run/ft-syslog)
wait "$cap"
rm -f /run/ft-syslog
node scripts/scrub-trace.mjs "$out.raw" "$out" ft-syslog
rm -f "$out.raw"
./bin/falco-ts replay "$out" -p '%evt.num %syslog.facility.str %syslog.severity.str %syslog.message' 'syslog.message exists'
