/**
 * Signals on a live run with rules (root and BPF; CI must run them, elsewhere they skip):
 *  - SIGHUP loads changed rules (the old rule stops firing, the new one fires); a broken rules
 *    file is one stderr line naming file:line:col and the rules before keep firing;
 *  - SIGUSR1 after logrotate's rename: later alerts go to a new file (0600), earlier ones stay
 *    in the renamed one; Node's inspector stays closed;
 *  - SIGTERM while the HTTP receiver holds its answers: every alert is delivered, exit 0;
 *  - the receiver down: one line counts the lost alerts, exit 3.
 * Alerts come from opening marker files, so the kernel's own events are the oracle; the file
 * output (written through) counts every alert for the other outputs. Waits are hang guards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, fileLines as lines, liveSkipReason, listening, tmpDir } from './helpers/env';
import { freePort, sleep, startSidekick, until } from './helpers/output-fixtures';

const SKIP = liveSkipReason('the live signal tests');
if (SKIP) process.stdout.write(`# signals-live skipped: ${SKIP}\n`);

/** bound for a hang (the probe's start included), not a speed check */
const HANG_MS = 120_000;

function rule(name: string, file: string): string {
  return `- rule: ${name}
  desc: signals test
  condition: evt.type in (open, openat, openat2) and fd.name = ${file}
  output: ${name} fired (file=%fd.name)
  priority: NOTICE
`;
}

interface Live {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startLive(args: string[]): Live {
  const child = spawn(process.execPath, [BIN, ...args, '-M', '280'], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  return { child, out: () => out, err: () => err, exit };
}

/** Opens the marker files (the rules' trigger) until cond holds. */
async function openUntil(files: string[], cond: () => boolean, live: Live): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    assert.ok(Date.now() - t0 < HANG_MS, `no alert: ${live.err()}`);
    assert.equal(live.child.exitCode, null, `live mode ended: ${live.err()}`);
    for (const f of files) fs.writeFileSync(f, 'x');
    await sleep(100);
  }
}

/** A directory with a rules file: rule 'sig A' fires when the marker file `fa` is opened. */
function ruleOnMarker(prefix: string): { rules: string; fa: string; log: string } {
  const dir = tmpDir(prefix);
  const rules = path.join(dir, 'rules.yaml');
  const fa = path.join(dir, 'a');
  fs.writeFileSync(rules, rule('sig A', fa));
  return { rules, fa, log: path.join(dir, 'alerts.log') };
}

const count = (text: string, what: string) => text.split('\n').filter((l) => l.includes(what)).length;

test(
  'live: SIGHUP reloads the rules (a broken file keeps the old ones), SIGUSR1 reopens the file',
  { skip: SKIP ?? undefined, timeout: 300_000 },
  async (t) => {
    const dir = tmpDir('falco-ts-hup-');
    const rules = path.join(dir, 'rules.yaml');
    const fa = path.join(dir, 'a');
    const fb = path.join(dir, 'b');
    const log = path.join(dir, 'alerts.log');
    fs.writeFileSync(rules, rule('sig A', fa));
    const inspectorWasFree = !(await listening(9229));
    const live = startLive(['-r', rules, '--output', `file:${log}`, '--output', 'stdout']);
    t.after(() => {
      if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
    });
    await openUntil([fa], () => live.out().includes('sig A fired'), live);

    // new rules: B instead of A
    fs.writeFileSync(rules, rule('sig B', fb));
    live.child.kill('SIGHUP');
    assert.ok(await until(() => live.err().includes('rules reloaded (1 rule)'), HANG_MS), live.err());
    await openUntil([fa, fb], () => live.out().includes('sig B fired'), live);
    const shown = live.out().split('\n');
    const firstB = shown.findIndex((l) => l.includes('sig B fired'));
    assert.equal(count(shown.slice(firstB).join('\n'), 'sig A fired'), 0, 'rule A is gone after the reload');

    // a broken rules file: one line says why, B keeps firing
    fs.writeFileSync(rules, rule('sig C', fa) + 'garbage: [\n');
    live.child.kill('SIGHUP');
    assert.ok(await until(() => live.err().includes('rules not reloaded'), HANG_MS), live.err());
    const refused = live
      .err()
      .split('\n')
      .filter((l) => l.includes('rules not reloaded'));
    assert.equal(refused.length, 1);
    assert.match(
      refused[0],
      /^falco-ts: SIGHUP received: rules not reloaded, the previous ones keep running: \S*rules\.yaml:\d+:\d+: error: \S.*$/,
    );
    const bBefore = count(live.out(), 'sig B fired');
    await openUntil([fb], () => count(live.out(), 'sig B fired') > bBefore, live);
    assert.equal(count(live.out(), 'sig C fired'), 0);

    // logrotate: rename, then SIGUSR1
    fs.renameSync(log, log + '.1');
    live.child.kill('SIGUSR1');
    assert.ok(await until(() => live.err().includes('SIGUSR1 received: 1 file output reopened'), HANG_MS), live.err());
    if (inspectorWasFree) assert.equal(await listening(9229), false, 'the inspector opened 127.0.0.1:9229');
    await openUntil([fb], () => lines(log).length > 0, live);

    live.child.kill('SIGTERM');
    const { code, signal } = await live.exit;
    assert.equal(signal, null);
    assert.equal(code, 0, live.err());
    const before = lines(log + '.1');
    const after = lines(log);
    assert.ok(before[0].includes('sig A fired'), before[0]);
    assert.ok(after.length > 0 && after.every((l) => l.includes('sig B fired')), after.join('\n'));
    assert.equal(fs.statSync(log).mode & 0o777, 0o600);
    // every alert in both outputs; the summary counts them, nothing lost
    const total = before.length + after.length;
    assert.equal(count(live.out(), ' fired (file='), total);
    const row = /^falco-ts: output file:\S+: (\d+) sent, 0 retried, 0 failed, 0 dropped$/m.exec(live.err());
    assert.ok(row, live.err());
    assert.equal(Number(row[1]), total);
    assert.doesNotMatch(live.err(), /not delivered|Debugger listening/);
  },
);

test(
  'live: SIGTERM while the HTTP receiver holds its answers delivers every alert, exit 0',
  { skip: SKIP ?? undefined, timeout: 300_000 },
  async (t) => {
    const { rules, fa, log } = ruleOnMarker('falco-ts-term-');
    const sk = await startSidekick({ hold: true });
    const live = startLive(['-r', rules, '--output', sk.url, '--output', `file:${log}`]);
    t.after(async () => {
      if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
      await sk.close();
    });
    await openUntil([fa], () => sk.held > 0, live);
    live.child.kill('SIGTERM');
    sk.release();
    const { code, signal } = await live.exit;
    assert.equal(signal, null, live.err());
    assert.equal(code, 0, live.err());
    const total = lines(log).length;
    assert.ok(total > 0);
    assert.equal(sk.accepted, total);
    assert.match(
      live.err(),
      /^falco-ts: output http:\/\/127\.0\.0\.1:\d+\/: \d+ sent, \d+ retried, 0 failed, 0 dropped$/m,
    );
    assert.doesNotMatch(live.err(), /not delivered/);
  },
);

test(
  'live: with the HTTP receiver down, one line counts the lost alerts, exit 3',
  { skip: SKIP ?? undefined, timeout: 300_000 },
  async (t) => {
    const { rules, fa, log } = ruleOnMarker('falco-ts-lost-');
    const url = `http://127.0.0.1:${await freePort()}/`;
    const live = startLive(['-r', rules, '--output', url, '--output', `file:${log}`]);
    t.after(() => {
      if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGKILL');
    });
    await openUntil([fa], () => lines(log).length > 0, live);
    live.child.kill('SIGINT');
    const { code } = await live.exit;
    assert.equal(code, 3, live.err());
    const total = lines(log).length;
    const loss = live
      .err()
      .split('\n')
      .filter((l) => l.includes('not delivered'));
    assert.equal(loss.length, 1, live.err());
    const m = /^falco-ts: (\d+) alerts? not delivered: (\S+) (?:(\d+) failed)?(?:, )?(?:(\d+) dropped)?$/.exec(loss[0]);
    assert.ok(m, loss[0]);
    assert.equal(Number(m[1]), total);
    assert.equal(m[2], url);
  },
);
