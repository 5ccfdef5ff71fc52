/**
 * `falco-ts replay F` against live `sysdig -r F` (both TZ=UTC) on every real capture in
 * ../shared/scap: every line must be equal, in order, and there must be as many. The only
 * allowances are the named entries of ../test/deliberate-differences.ts that the capture plans
 * apply (helpers/sysdig-compare.ts); this test also checks that they still apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, runSysdig, sharedSkipReason, sysdigSkipReason } from './helpers/env';
import { capturePlans, lineDifferences, lines } from './helpers/sysdig-compare';
import { DIFFERENCES } from './deliberate-differences';

test('replay prints what sysdig -r prints, line for line, on every capture', (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const report: string[] = [];
  const failures: string[] = [];
  let total = 0;
  for (const p of capturePlans()) {
    const ref = runSysdig(['-r', p.sysdig]);
    const ours = runCli(['replay', p.ours]);
    assert.equal(ref.status, 0, `${p.name}: sysdig failed: ${ref.stderr.toString()}`);
    if (ours.status !== 0) failures.push(`${p.name}: falco-ts exit ${ours.status}: ${ours.stderr.toString().trim()}`);
    const r = lines(ref.stdout),
      o = lines(ours.stdout);
    const diffs = lineDifferences(r, o);
    if (diffs.length) failures.push(`${p.name}:\n    ${diffs.join('\n    ')}`);
    total += r.length;
    const inputs = p.applied.filter((d) => d === 'shb-options' || d === 'later-libs-events');
    report.push(`${p.name}: ${r.length} lines compared${inputs.length ? ` (${inputs.join(', ')})` : ''}`);
  }
  report.push(`TOTAL: ${total} lines compared`);
  for (const l of report) t.diagnostic(l);
  assert.deepEqual(failures, []);
});

test('the capture-level deliberate differences still hold', (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const plans = capturePlans();
  // shb-options: sysdig still cannot open the capture, and we can
  const shb = plans.find((p) => p.applied.includes('shb-options'));
  assert.ok(shb, `${DIFFERENCES['shb-options'].capture} is not in ../shared/scap`);
  assert.notEqual(runSysdig(['-r', shb.original, '-n', '1']).status, 0, 'sysdig opens it now: remove shb-options');
  assert.equal(runCli(['replay', shb.original, '-n', '1']).status, 0);
  // later-libs-events: for sysdig the copy without those events is the original; for us it is not
  for (const p of plans.filter((x) => x.applied.includes('later-libs-events'))) {
    const orig = lines(runSysdig(['-r', p.original, '-t', 'r']).stdout);
    const copy = lines(runSysdig(['-r', p.sysdig, '-t', 'r']).stdout);
    assert.deepEqual(copy, orig, `${p.name}: sysdig prints the copy without later-libs events differently`);
    const ours = lines(runCli(['replay', p.original]).stdout).length;
    assert.ok(ours > orig.length, `${p.name}: falco-ts prints ${ours} lines, no more than sysdig's ${orig.length}`);
  }
});
