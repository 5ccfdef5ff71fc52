#!/usr/bin/env node
// Runs the compiled test files, dist/test/**/*.test.js, one file at a time with Node's test
// runner. Listing them here is needed because Node 20's `node --test DIR` also runs every other
// .js under a directory named `test` (the helper modules in dist/test/helpers/ counted as
// passing tests), and Node 20's --test takes no glob pattern (that came in Node 21).
// Arguments are passed to `node --test` before the files (e.g. --test-name-pattern=oracle).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(path.dirname(new URL(import.meta.url).pathname), '..');
const dir = path.join(root, 'dist', 'test');

function testFiles(d) {
  const out = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

if (!fs.existsSync(dir)) {
  console.error(`run-tests: ${path.relative(root, dir)} not found; build first (npx tsc -p tsconfig.json)`);
  process.exit(2);
}
const files = testFiles(dir).sort();
if (files.length === 0) {
  console.error(`run-tests: no *.test.js under ${path.relative(root, dir)}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...process.argv.slice(2), ...files], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
