#!/usr/bin/env node
/* Builds the native capture addon (BPF probe + Node-API addon) with cmake-js, offline.
 *   node native/build.js             build; fail on any error (npm run build:native)
 *   node native/build.js --optional  build if the toolchain is there; otherwise (or on a failed
 *                                    build) print what is missing and exit 0 (npm run build)
 * Output: build/Release/falco_ts_native.node */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const optional = process.argv.includes('--optional');

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

function missing() {
  const out = [];
  if (!which('cmake')) out.push('cmake');
  if (!which('clang')) out.push('clang');
  if (!which('bpftool')) out.push('bpftool');
  if (!fs.existsSync('/usr/include/bpf/libbpf.h')) out.push('libbpf-dev');
  if (!fs.existsSync('/usr/include/gelf.h')) out.push('libelf-dev');
  if (!which('c++') && !which('g++')) out.push('g++');
  let cmakeJs = null;
  try { cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [ROOT] }); } catch { out.push('npm package cmake-js'); }
  try { require.resolve('node-addon-api', { paths: [ROOT] }); } catch { out.push('npm package node-addon-api'); }
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) out.push('kernel BTF (/sys/kernel/btf/vmlinux)');
  return { out, cmakeJs };
}

function fail(msg) {
  if (optional) {
    console.error(`falco-ts: native capture addon not built: ${msg}. Everything but live capture works; see npm run build:native.`);
    process.exit(0);
  }
  console.error(`falco-ts: native build failed: ${msg}`);
  process.exit(1);
}

const { out, cmakeJs } = missing();
if (out.length) fail(`missing ${out.join(', ')} (Debian: apt-get install clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev cmake ninja-build g++; npm ci)`);
const args = [cmakeJs, 'compile', '-d', path.join(ROOT, 'native'), '-O', path.join(ROOT, 'build')];
if (which('ninja')) args.push('-G', 'Ninja');
const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: optional ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
if (r.status !== 0) {
  if (optional && r.stdout) process.stderr.write(r.stdout.toString().split('\n').slice(-30).join('\n') + (r.stderr ?? ''));
  fail(`cmake-js exited with ${r.status ?? r.signal}`);
}
const node = path.join(ROOT, 'build', 'Release', 'falco_ts_native.node');
if (!fs.existsSync(node)) fail(`${node} was not produced`);
if (optional) console.error(`falco-ts: native capture addon built: ${path.relative(ROOT, node)}`);
