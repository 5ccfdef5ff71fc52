/**
 * fixtures/demo.scap: recorded with our own probe (scripts/make-demo-fixture.sh) while
 * fixtures/falco-ts-demo ran. The README's first command replays it with the default rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ROOT, runCli, runSysdig, sysdigSkipReason } from './helpers/env';

const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');

test('the default ruleset raises one alert per step of the demo scenario, and nothing else', () => {
  const r = runCli(['replay', DEMO, '-r', 'default', '-j']);
  assert.equal(r.status, 0, String(r.stderr));
  const alerts = r.stdout
    .toString()
    .trim()
    .split('\n')
    .map(
      (l) => JSON.parse(l) as { rule: string; source: string; time: string; output_fields: Record<string, unknown> },
    );
  const rules = alerts.map((a) => a.rule).sort();
  assert.deepEqual(rules, [
    'Log file cleared',
    'Private keys or passwords searched',
    'Program executed from /tmp or /dev/shm',
    'Read of sensitive file by unexpected program',
    'Setuid or setgid bit set on a file',
    'Write below /etc',
  ]);
  for (const a of alerts) {
    assert.equal(a.source, 'syscall');
    assert.match(a.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.ok(Object.keys(a.output_fields).length > 0);
  }
  const shadow = alerts.find((a) => a.rule === 'Read of sensitive file by unexpected program');
  assert.ok(shadow);
  assert.equal(shadow.output_fields['fd.name'], '/etc/shadow');
  assert.equal(shadow.output_fields['proc.name'], 'cat');
});

test('sysdig 0.29.3 reads our capture and prints what we print', (t) => {
  const skip = sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const ours = runCli(['replay', DEMO]);
  const ref = runSysdig(['-r', DEMO]);
  assert.equal(ref.status, 0, String(ref.stderr));
  assert.equal(ours.stdout.toString('latin1'), ref.stdout.toString('latin1'));
  assert.ok(ours.stdout.toString().includes('cat /etc/shadow') || ours.stdout.toString().includes('/etc/shadow'));
});
