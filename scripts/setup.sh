#!/bin/sh
# One-time set-up on Debian 12 (as root): system packages, npm dependencies, the build.
# Idempotent; used by the README's two commands and by .ci/run.
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
need=""
# zsh, fish: the shell-completion tests run the generated scripts in the real shells
for p in sysdig time lz4 zsh fish clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev liblz4-dev cmake ninja-build make g++ python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || need="$need $p"
done
command -v node >/dev/null 2>&1 || need="$need nodejs npm"
if [ -n "$need" ]; then
  apt-get update -qq
  # --no-install-recommends: sysdig recommends a DKMS kernel module we neither need nor can load
  apt-get install -y -qq --no-install-recommends $need
fi
npm ci --no-audit --no-fund
npm run build
sh scripts/build-plugins.sh  # real Falco plugins (g++, ../shared/plugins) for test/plugin-native.test.ts
