/**
 * The V8 code cache (src/cli/code-cache.ts): `npm run build` fills dist/.code-cache; runs use
 * it (no entry rejected) with the same output as without it; a damaged entry is rejected by V8,
 * an entry made from other source (its SHA-1 differs) is not even offered to V8, and the module
 * compiles as usual.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli } from './helpers/env';

const DIR = path.join(ROOT, 'dist', '.code-cache');
const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');

test('code cache: used, same output, damaged entries rejected safely', (t) => {
  if (!fs.existsSync(DIR)) {
    t.skip('no dist/.code-cache (npm run build makes it)');
    return;
  }
  const args = ['replay', DEMO, '-p', '%evt.num %proc.name %fd.name', 'evt.type in (open, openat, execve)'];
  const plain = runCli(args, { env: { FALCO_TS_NO_CODE_CACHE: '1' } });
  const cached = runCli(args, { env: { FALCO_TS_DEBUG_CODE_CACHE: '1' } });
  assert.equal(plain.status, 0, plain.stderr.toString());
  assert.equal(cached.status, 0, cached.stderr.toString());
  assert.equal(cached.stderr.toString(), '', 'no cache entry rejected');
  assert.ok(plain.stdout.length > 0);
  assert.deepEqual(cached.stdout, plain.stdout);

  // (the launcher runs the one-file bundle when the build made one, else the modules)
  const bundled = fs.existsSync(path.join(DIR, 'src_bundle_main.js.v8'));
  const entry = path.join(DIR, bundled ? 'src_bundle_main.js.v8' : 'src_cli_replay.js.v8');
  const file = bundled ? /bundle\/main\.js/ : /replay\.js/;
  const saved = fs.readFileSync(entry);
  try {
    const bad = Buffer.from(saved);
    for (let i = 20; i < bad.length; i += 7) bad[i] ^= 0x5a; // (after the source digest)
    fs.writeFileSync(entry, bad);
    const r = runCli(args, { env: { FALCO_TS_DEBUG_CODE_CACHE: '1' } });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stderr.toString(), new RegExp(`code cache rejected: .*${file.source}`));
    assert.deepEqual(r.stdout, plain.stdout);

    // the entry of a source of the same length but other bytes: V8 alone would take it
    const other = Buffer.from(saved);
    other[3] ^= 1;
    fs.writeFileSync(entry, other);
    const s = runCli(args, { env: { FALCO_TS_DEBUG_CODE_CACHE: '1' } });
    assert.equal(s.status, 0, s.stderr.toString());
    assert.match(s.stderr.toString(), new RegExp(`code cache stale: .*${file.source}`));
    assert.doesNotMatch(s.stderr.toString(), /rejected/);
    assert.deepEqual(s.stdout, plain.stdout);
  } finally {
    fs.writeFileSync(entry, saved);
  }
});
