/**
 * Signals and lost alerts on a replay (no root needed), each through the real launcher:
 *  - the HTTP receiver refuses or resets connections: one stderr line counts the lost alerts
 *    per output and the exit status is 3 (README's exit-status table); a receiver that answers
 *    is the control (exit 0, no such line);
 *  - SIGUSR1 is taken by falco-ts's own listener and does not open Node's inspector, which the
 *    same signal opens in a bare Node process (the control); a file output reopened after
 *    logrotate's rename writes to the new file;
 *  - SIGTERM while alerts are pending: they are delivered, exit 0.
 * The number of alerts comes from the replay itself on stdout (every alert once). Waits are
 * bounded (hang guards), never timed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, ROOT, fileLines as lines, listening, runCli, tmpDir } from './helpers/env';
import { freePort, makeAlert, startSidekick, until, type Sidekick } from './helpers/output-fixtures';
import { OutputManager, lossLine } from '../src/output/manager';

const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');
const HANG_MS = 60_000;

/** alerts of `replay demo.scap -r default`, as stdout prints them */
function demoAlertCount(): number {
  const r = runCli(['replay', DEMO, '-r', 'default']);
  assert.equal(r.status, 0, r.stderr.toString());
  const n = r.stdout.toString().split('\n').filter(Boolean).length;
  assert.ok(n > 0);
  return n;
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  return { child, stderr: () => err, exit };
}

/**
 * `replay demo.scap -r default` with an HTTP output whose receiver holds its answers: once it
 * holds one, the run is alive in its event loop, delivering (until release()).
 */
async function replayWaitingForReceiver(t: TestContext): Promise<{ sk: Sidekick; run: Running }> {
  const sk = await startSidekick({ hold: true });
  const run = start(['replay', DEMO, '-r', 'default', '--output', sk.url]);
  t.after(async () => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    await sk.close();
  });
  assert.ok(await until(() => sk.held > 0, HANG_MS), run.stderr());
  return { sk, run };
}

test('replay with the HTTP receiver down: one line counts the lost alerts per output, exit 3', async () => {
  const total = demoAlertCount();
  const dir = tmpDir('falco-ts-loss-');
  const refused = `http://127.0.0.1:${await freePort()}/`;
  const reset = await startSidekick({ reset: true });
  try {
    for (const url of [refused, reset.url]) {
      const file = path.join(dir, `alerts-${url.replace(/\W+/g, '_')}.log`);
      // (spawned, not spawnSync: the receiver runs in this process)
      const run = start(['replay', DEMO, '-r', 'default', '--output', url, '--output', `file:${file}`]);
      const { code } = await run.exit;
      const err = run.stderr();
      assert.equal(code, 3, err);
      // the file output took every alert: it is not named in the loss line
      assert.equal(lines(file).length, total);
      const loss = err.split('\n').filter((l) => l.includes('not delivered'));
      assert.equal(loss.length, 1, err);
      const m = /^falco-ts: (\d+) alerts not delivered: (\S+) (?:(\d+) failed)?(?:, )?(?:(\d+) dropped)?$/.exec(
        loss[0],
      );
      assert.ok(m, loss[0]);
      assert.equal(Number(m[1]), total);
      assert.equal(m[2], url);
      assert.equal(Number(m[3] ?? 0) + Number(m[4] ?? 0), total);
      assert.doesNotMatch(err, /at .*\.js:\d+/, 'no stack trace');
    }
  } finally {
    await reset.close();
  }
});

test('replay with the HTTP receiver up: every alert delivered, exit 0, no loss line (control)', async () => {
  const total = demoAlertCount();
  const sk = await startSidekick();
  try {
    const run = start(['replay', DEMO, '-r', 'default', '--output', sk.url]);
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.equal(sk.accepted, total);
    assert.equal(run.stderr(), '');
  } finally {
    await sk.close();
  }
});

test('the README documents exit status 3 for lost alerts', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /^\| 3 \| .*(lost|not delivered).*\|$/m);
});

test('SIGUSR1 during a replay is taken by falco-ts and does not open the inspector', async (t) => {
  const total = demoAlertCount();
  const inspectorWasFree = !(await listening(9229));
  const { sk, run } = await replayWaitingForReceiver(t);
  run.child.kill('SIGUSR1');
  assert.ok(await until(() => run.stderr().includes('SIGUSR1 received'), HANG_MS), run.stderr());
  if (inspectorWasFree) assert.equal(await listening(9229), false, 'the inspector opened 127.0.0.1:9229');
  sk.release();
  const { code, signal } = await run.exit;
  assert.equal(signal, null);
  assert.equal(code, 0, run.stderr());
  assert.equal(sk.accepted, total);
  assert.doesNotMatch(run.stderr(), /Debugger listening|inspector/i);
});

test('control: SIGUSR1 opens the inspector of a bare Node process', async (t) => {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    child.kill('SIGKILL');
  });
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise((r) => child.stdout.once('data', r));
  child.kill('SIGUSR1');
  // Node says so on stderr (or that 9229 was taken): either way SIGUSR1 started the inspector
  assert.ok(await until(() => /Debugger listening|Starting inspector/.test(err), HANG_MS), err);
});

test('SIGTERM while alerts are pending: they are delivered, exit 0', async (t) => {
  const total = demoAlertCount();
  const { sk, run } = await replayWaitingForReceiver(t);
  run.child.kill('SIGTERM');
  // the signal is taken before the receiver answers
  assert.ok(await until(() => run.stderr().includes('SIGTERM received'), HANG_MS), run.stderr());
  sk.release();
  const { code, signal } = await run.exit;
  assert.equal(signal, null, run.stderr());
  assert.equal(code, 0, run.stderr());
  assert.equal(sk.accepted, total);
  assert.match(run.stderr(), /^falco-ts: SIGTERM received: stopping after \d+ events$/m);
  assert.doesNotMatch(run.stderr(), /not delivered/);
});

test('a file output reopened after a logrotate-style rename writes to the new file', async () => {
  const dir = tmpDir('falco-ts-rotate-');
  const log = path.join(dir, 'alerts.log');
  const mgr = OutputManager.create([`file:${log}`], { json: true });
  for (let i = 1; i <= 3; i++) mgr.emit(makeAlert(i));
  fs.renameSync(log, log + '.1'); // logrotate: rename, then signal
  assert.equal(mgr.reopen(), 1);
  for (let i = 4; i <= 5; i++) mgr.emit(makeAlert(i));
  const report = await mgr.close();
  const nums = (f: string) =>
    lines(f).map((l) => (JSON.parse(l) as { output_fields: Record<string, number> }).output_fields['evt.num']);
  assert.deepEqual(nums(log + '.1'), [1, 2, 3]);
  assert.deepEqual(nums(log), [4, 5]);
  assert.equal(fs.statSync(log).mode & 0o777, 0o600);
  assert.equal(report.outputs[0].sent, 5);
  assert.equal(lossLine([report]), null);
});

test('a file that cannot be reopened: the output says why and keeps writing to the old one', async () => {
  const dir = tmpDir('falco-ts-rotate-');
  const log = path.join(dir, 'alerts.log');
  const logs: string[] = [];
  const mgr = OutputManager.create([`file:${log}`], { json: true, log: (m) => logs.push(m) });
  mgr.emit(makeAlert(1));
  fs.renameSync(log, log + '.1');
  fs.mkdirSync(log); // the name now holds a directory: open() fails with EISDIR
  assert.equal(mgr.reopen(), 0);
  mgr.emit(makeAlert(2));
  await mgr.close();
  assert.equal(lines(log + '.1').length, 2);
  assert.deepEqual(logs, [`file:${log}: cannot reopen (EISDIR); still writing to the file opened before`]);
});
