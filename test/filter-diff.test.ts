/**
 * Random filters (and random -p templates) against sysdig 0.29.3 (fuzz/filter-diff.ts): fields both catalogs know, values
 * that occur in each capture, operators both grammars read alike; every filter must select the
 * same events in both. A fixed seed keeps the run reproducible (`node dist/fuzz/filter-diff.js
 * --seed 11 --count 90`); longer runs with other seeds are for development.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, sharedSkipReason, sysdigSkipReason } from './helpers/env';

test('random filters select the same events as sysdig 0.29.3', { timeout: 20 * 60 * 1000 }, (t) => {
  const why = sharedSkipReason() ?? sysdigSkipReason();
  if (why !== null) {
    t.skip(why);
    return;
  }
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'fuzz', 'filter-diff.js'), '--seed', '11', '--count', '90', '--keep-going'],
    {
      maxBuffer: 1 << 26,
    },
  );
  const out = r.stdout.toString();
  const summary = /(\d+) filters compared \((\d+) matched some events\), (\d+) mismatches/.exec(out);
  assert.ok(summary !== null, `no summary: ${out.slice(-500)} ${r.stderr.toString().slice(-500)}`);
  assert.equal(summary[3], '0', out);
  assert.ok(Number(summary[1]) >= 60, `too few comparable filters: ${summary[1]}`);
  assert.ok(Number(summary[2]) >= 30, `too few filters matched anything: ${summary[2]}`);
  assert.equal(r.status, 0, out);
});

test('random -p templates print the same lines as sysdig 0.29.3', { timeout: 20 * 60 * 1000 }, (t) => {
  const why = sharedSkipReason() ?? sysdigSkipReason();
  if (why !== null) {
    t.skip(why);
    return;
  }
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'dist', 'fuzz', 'filter-diff.js'), '--formats', '--seed', '3', '--count', '50', '--keep-going'],
    {
      maxBuffer: 1 << 26,
    },
  );
  const out = r.stdout.toString();
  const summary = /(\d+) templates compared, (\d+) mismatches/.exec(out);
  assert.ok(summary !== null, `no summary: ${out.slice(-500)} ${r.stderr.toString().slice(-500)}`);
  assert.equal(summary[2], '0', out);
  assert.ok(Number(summary[1]) >= 35, `too few comparable templates: ${summary[1]}`);
  assert.equal(r.status, 0, out);
});
