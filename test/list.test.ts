/** `falco-ts list events|fields`: sysdig -L's lines, and the field catalog as tables or JSON. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED, runCli, sharedSkipReason } from './helpers/env';
import { fieldRegistry } from '../src/filter/fields/registry';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../src/event/generated/events';

test('list events: sysdig -L lines, byte for byte, then the newer events', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const ref = fs
    .readFileSync(path.join(SHARED, 'docs', 'sysdig-events.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const r = runCli(['list', 'events']);
  assert.equal(r.status, 0, r.stderr.toString());
  const got = r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  assert.deepEqual(got.slice(0, ref.length), ref);
  const newer = EVENTS.filter(
    (e) =>
      e &&
      e.code >= PPM_EVENT_MAX_E5C53D64 &&
      !e.flags.includes('EF_UNUSED') &&
      !e.flags.includes('EF_OLD_VERSION') &&
      !e.category.includes('EC_INTERNAL'),
  );
  assert.equal(got.length, ref.length + newer.length);
  const j = JSON.parse(runCli(['list', 'events', '--json']).stdout.toString('utf8'));
  assert.equal(j.length, got.length);
  assert.deepEqual(j[2], {
    code: 2,
    name: 'open',
    dir: '>',
    category: 'EC_FILE',
    flags: ['EF_CREATES_FD', 'EF_MODIFIES_STATE'],
    params: [
      { name: 'name', type: 'FSPATH' },
      { name: 'flags', type: 'FLAGS32' },
      { name: 'mode', type: 'UINT32' },
    ],
  });
});

test('list fields: every catalog field in the tables and in --json', () => {
  const all = fieldRegistry.list();
  const r = runCli(['list', 'fields']);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString('utf8');
  assert.ok(!out.includes('\x1b['), 'no colours when piped');
  const cells = new Set<string>();
  for (const l of out.split('\n')) {
    const m = /^│ (\S+)\s+│/.exec(l);
    if (m) cells.add(m[1]);
  }
  for (const f of all) assert.ok(cells.has(f.name), `${f.name} missing from the table`);
  assert.match(out, /Field Class: evt/);
  assert.match(out, /fd\.ip\s+│ IPADDR\s+│ \(FILTER_ONLY\)/);
  const j = JSON.parse(runCli(['list', 'fields', '--json']).stdout.toString('utf8'));
  assert.equal(j.length, all.length);
  assert.deepEqual(
    j.map((x: { name: string }) => x.name),
    all.map((f) => f.name),
  );
  const bad = runCli(['list', 'chisels']);
  assert.equal(bad.status, 2);
});
