/**
 * The quick fuzz run (fuzz/run.ts --quick) as a test: deterministic (seed 1), bounded, and it
 * prints its counts. Any crash, hang or memory blow-up fails the test with the cases listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../fuzz/run';
import { sharedSkipReason } from './helpers/env';

test('quick fuzz: traces, filters, templates, rules — 0 crashes, 0 hangs', { timeout: 240_000 }, async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const lines: string[] = [];
  const s = await runFuzz({
    quick: true,
    seed: 1,
    jobs: 2,
    cli: true,
    log: (l) => {
      lines.push(l);
      t.diagnostic(l);
    },
  });
  // the closing line, also on stdout for CI logs
  process.stdout.write(lines.filter((l) => !l.startsWith('FAIL')).join('\n') + '\n');
  assert.ok(s.tried > 1000, `only ${s.tried} cases ran`);
  assert.ok(s.byKind.trace.ok + s.byKind.trace.clean > 500, 'trace cases ran');
  assert.ok(s.cliRuns > 0, 'the CLI sample ran');
  assert.deepEqual(
    s.failures.map((f) => `${f.what} ${f.kind} #${f.id}: ${f.detail}`),
    [],
  );
  assert.equal(s.crashes, 0);
  assert.equal(s.hangs, 0);
});
