#!/bin/sh
# Records the default ruleset's trigger (t-) and non-trigger (n-) traces with our own probe
# (root, after `npm run build`): each fixtures/rules/ft-scenario case runs under
# `falco-ts test --record` with an empty environment, is scrubbed to the scenario's process
# tree (scripts/scrub-trace.mjs) and becomes a case of test/specs/default-rules.yaml, whose
# expected alerts are what fired (review the diff). Usage: make-rule-fixtures.sh [CASE...]
set -eu
if [ -z "${FALCO_TS_FIXTURE_CLEAN:-}" ]; then
  exec env -i FALCO_TS_FIXTURE_CLEAN=1 PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C sh "$0" "$@"
fi
cd "$(dirname "$0")/.."
repo=$(pwd)
spec=test/specs/default-rules.yaml
rule_of() {
  case $1 in
    shell-server) echo 'Shell spawned by a server process' ;;
    sensitive-read) echo 'Read of sensitive file by unexpected program' ;;
    write-etc) echo 'Write below /etc' ;;
    write-bin) echo 'Write below binary directory' ;;
    outbound) echo 'Unexpected outbound connection from a system binary' ;;
    setuid-bit) echo 'Setuid or setgid bit set on a file' ;;
    log-cleared) echo 'Log file cleared' ;;
    history) echo 'Shell history deleted or truncated' ;;
    netcat) echo 'Netcat or socat with a program attached' ;;
    reverse-shell) echo 'Reverse shell redirected to a socket' ;;
    miner-port) echo 'Connection to a crypto-mining pool port' ;;
    miner) echo 'Crypto miner launched' ;;
    setns) echo 'Namespace changed by a non-container runtime' ;;
    setuid-root) echo 'Privilege escalation with setuid to root' ;;
    chown-tmp) echo 'File ownership changed to root below /tmp' ;;
    packet-socket) echo 'Raw packet socket opened' ;;
    exec-tmp) echo 'Program executed from /tmp or /dev/shm' ;;
    exfil) echo 'Data exfiltration tool with a sensitive file' ;;
    key-search) echo 'Private keys or passwords searched' ;;
    bulk-removal) echo 'Bulk data removal' ;;
    firewall-off) echo 'Audit or firewall rules disabled' ;;
    ptrace) echo 'Process attached with ptrace' ;;
    host-mount) echo 'Sensitive host path mounted' ;;
  esac
}
cases="$*"
if [ -z "$cases" ]; then
  for k in shell-server sensitive-read write-etc write-bin outbound setuid-bit log-cleared history netcat \
           reverse-shell miner-port miner setns setuid-root chown-tmp packet-socket exec-tmp exfil key-search \
           bulk-removal firewall-off ptrace host-mount; do cases="$cases t-$k n-$k"; done
fi
mkdir -p /run/ft-fixtures && cp fixtures/rules/ft-scenario /run/ft-fixtures/ft-scenario
for c in $cases; do
  rule=$(rule_of "${c#?-}")
  trace=fixtures/rules/$c.scap
  if [ "${c%%-*}" = n ]; then set -- --must-not-fire "$rule"; else set --; fi
  # the scenario runs from / under a neutral path, so no path or variable of this checkout is recorded
  (cd / && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C HOME=/root "$repo/bin/falco-ts" test --record "$c" --spec "$repo/$spec" --trace "$repo/$trace" -r default "$@" -- \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C /run/ft-fixtures/ft-scenario "$c")
  node scripts/scrub-trace.mjs "$trace" "$trace.tmp" ft-scenario
  mv "$trace.tmp" "$trace"
done
rm -rf /run/ft-fixtures
./bin/falco-ts test "$spec"
