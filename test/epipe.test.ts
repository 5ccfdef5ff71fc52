/**
 * A reader that closes stdout early (`falco-ts ... | head`): every command ends quietly, with
 * no stack trace on stderr and its own status. The pipe's read end is closed before the
 * command writes anything, so every write meets EPIPE (with `| head` the race could let the
 * output fit in the pipe and prove nothing); one run goes through a real `| head -1` too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, ROOT, which } from './helpers/env';

const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');

/** Runs the CLI with stdout's reader gone from the start; resolves with the status and stderr. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // our end of the pipe: the command's writes fail with EPIPE
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr: err })));
}

const CASES: { args: string[]; status: number }[] = [
  { args: ['--help'], status: 0 },
  { args: ['test', '--help'], status: 0 },
  { args: ['replay', '--help'], status: 0 },
  { args: ['list', 'fields'], status: 0 },
  { args: ['list', 'events'], status: 0 },
  { args: ['list', 'fields', '--json'], status: 0 },
  { args: ['replay', DEMO], status: 0 },
  { args: ['replay', DEMO, '-j'], status: 0 },
  { args: ['replay', DEMO, '-r', 'default'], status: 0 },
  { args: ['stats', DEMO], status: 0 },
  // many lines, written with process.stdout (the stream that threw before)
  { args: ['rules', 'validate', ...Array<string>(20).fill('default')], status: 0 },
  { args: ['rules', 'list', 'default'], status: 0 },
  { args: ['rules', 'conditions', 'default'], status: 0 },
];

for (const c of CASES) {
  const shown = c.args
    .map((a) => path.basename(a))
    .join(' ')
    .replace(/(default )+default/, 'default ×N');
  test(`EPIPE: falco-ts ${shown} ends quietly`, async () => {
    const r = await withClosedStdout(c.args);
    assert.equal(r.signal, null);
    assert.equal(r.stderr, '', 'nothing on stderr, no stack trace');
    assert.equal(r.code, c.status);
  });
}

test('EPIPE: a failing command keeps its own status (rules validate of an invalid file exits 1)', async () => {
  // a trace is no rules file: `Invalid`, written to the closed stdout
  const r = await withClosedStdout(['rules', 'validate', DEMO]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 1);
});

test('EPIPE: `falco-ts replay FILE | head -1` prints one line, the replay exits 0', { skip: !which('bash') }, () => {
  const r = spawnSync('bash', [
    '-c',
    `"${process.execPath}" "${BIN}" replay "${DEMO}" | head -1; echo "status=\${PIPESTATUS[0]}"`,
  ]);
  const out = r.stdout.toString().split('\n');
  assert.match(out[0], /^\d+ \S+ \d+ \S+ \(\d+\) [<>] \w+/);
  assert.equal(out[1], 'status=0');
  assert.equal(r.stderr.toString(), '');
});
