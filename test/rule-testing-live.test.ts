/**
 * Live (root): `falco-ts -r RULES --capture-on-alert DIR` writes a trace around an alert that
 * replays to the same alert and holds events from before it; `falco-ts test --record` turns a
 * command into a passing case. In CI these must run (root and the addon are required there);
 * elsewhere they skip with the reason.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, liveSkipReason, runCli, tmpDir } from './helpers/env';

const SKIP = liveSkipReason('the live rule-testing tests');
if (SKIP) process.stdout.write(`# rule-testing-live skipped: ${SKIP}\n`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'live --capture-on-alert writes a replayable trace with the events before the alert',
  { skip: SKIP ?? undefined, timeout: 300_000 },
  async () => {
    const dir = tmpDir('falco-ts-coa-');
    const caps = path.join(dir, 'caps');
    const rules = path.join(dir, 'rules.yaml');
    const ready = path.join(dir, 'ready');
    const before = path.join(dir, 'before-marker');
    const trigger = path.join(dir, 'trigger');
    fs.writeFileSync(
      rules,
      `
- rule: t10 probe ready
  desc: readiness
  condition: evt.type in (open, openat, openat2) and fd.name = ${ready}
  output: ready (file=%fd.name)
  priority: NOTICE
- rule: t10 trigger opened
  desc: the alert under test
  condition: evt.type in (open, openat, openat2) and fd.name = ${trigger}
  output: trigger opened by %proc.name (file=%fd.name pid=%proc.pid cmdline=%proc.cmdline parent=%proc.pname)
  priority: WARNING
`,
    );
    const p = spawn(
      process.execPath,
      [BIN, '-r', rules, '--capture-on-alert', caps, '--before', '3', '--after', '1', '-M', '280'],
      {
        env: { ...process.env, TZ: 'UTC' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const exited = new Promise<number | null>((r) => p.on('close', (c) => r(c)));
    try {
      // wait until the probe delivers: touch the readiness file until its alert shows
      const t0 = Date.now();
      while (!out.includes('ready (file=')) {
        assert.ok(Date.now() - t0 < 120_000, `live mode did not start: ${err}`); // a bound for a hang, not a speed check
        fs.writeFileSync(ready, 'x');
        await sleep(200);
      }
      await sleep(2500); // the readiness capture (after = 1 s) ends
      spawnSync('cat', [before]); // 'before' events: must be in the window of the trigger's capture
      fs.writeFileSync(before, 'x');
      await sleep(800);
      spawnSync('cat', [trigger]);
      const t1 = Date.now();
      while (!out.includes('trigger opened by')) {
        assert.ok(Date.now() - t1 < 60_000, `no trigger alert: ${out} ${err}`);
        await sleep(100);
      }
      await sleep(2500); // the after-period passes
    } finally {
      p.kill('SIGINT');
    }
    assert.equal(await exited, 0, err);
    assert.match(err, /alert capture\(s\) written/);
    const liveLines = out.split('\n').filter((l) => l.includes('trigger opened by'));
    assert.equal(liveLines.length, 1, out);

    const files = fs.readdirSync(caps).sort();
    const trig = files.filter((f) => /^falco-ts-alert-\d{8}T\d{6}-\d{3}Z-t10-trigger-opened\.scap$/.test(f));
    assert.equal(trig.length, 1, `capture named after the rule and time: ${files.join(', ')}`);
    const trace = path.join(caps, trig[0]);
    assert.equal(fs.statSync(trace).mode & 0o777, 0o600);

    // the trace replays to the same alert
    const rep = runCli(['replay', trace, '-r', rules]);
    assert.equal(rep.status, 0, rep.stderr.toString());
    const replayLines = rep.stdout
      .toString()
      .split('\n')
      .filter((l) => l.includes('trigger opened by'));
    assert.deepEqual(replayLines, liveLines);

    // and holds events from before the alert (the marker, about 0.8 s earlier), with their process names
    const marks = runCli(['replay', trace, '-p', '%evt.rawtime %proc.name %fd.name', `fd.name = ${before}`]);
    const lines = marks.stdout.toString().trim().split('\n').filter(Boolean);
    assert.ok(lines.length > 0, `no events of the before-marker in the window: ${marks.stderr.toString()}`);
    const alertTs = runCli(['replay', trace, '-p', '%evt.rawtime', `fd.name = ${trigger}`])
      .stdout.toString()
      .trim()
      .split('\n')[0];
    assert.ok(BigInt(lines[0].split(' ')[0]) < BigInt(alertTs), `${lines[0]} before ${alertTs}`);
    assert.match(lines.map((l) => l.split(' ')[1]).join(' '), /\b(cat|node)\b/);
  },
);

test('capture-on-alert keeps at most --capture-max-files files', { skip: SKIP ?? undefined }, () => {
  const aw = require('../src/capture/alert-window') as typeof import('../src/capture/alert-window');
  const dir = tmpDir('falco-ts-coa-limit-');
  for (let i = 0; i < 5; i++)
    fs.writeFileSync(path.join(dir, aw.alertFileName(`r${i}`, Date.UTC(2024, 0, 1, 0, 0, i))), 'x');
  fs.writeFileSync(path.join(dir, 'other.txt'), 'kept');
  const { EventView } = require('../src/event/view') as typeof import('../src/event/view');
  const cap = new aw.AlertCapture({
    dir,
    beforeSec: 1,
    afterSec: 1,
    maxFiles: 3,
    snapshot: () => ({
      major: 1,
      minor: 2,
      machine: null,
      procs: [],
      fds: new Map(),
      users: [],
      groups: [],
      interfaces: [],
    }),
  });
  // one synthetic event (close, fd 3): header ts=1e9, tid=1, len, type=PPME_SYSCALL_CLOSE_E (44?) is not needed: an empty event
  const ev = new EventView();
  const b = Buffer.alloc(26);
  b.writeUInt32LE(1e9 % 4294967296, 0);
  b.writeUInt32LE(16, 8);
  b.writeUInt32LE(26, 16);
  b.writeUInt16LE(0, 20);
  b.writeUInt32LE(0, 22);
  ev.set(b, 0, 26, 26, 0, 0, false);
  cap.onEvent(ev);
  cap.onAlert('newest rule', ev);
  cap.close();
  const left = fs
    .readdirSync(dir)
    .filter((f) => aw.ALERT_FILE_RE.test(f))
    .sort();
  assert.equal(left.length, 3, left.join(', '));
  assert.ok(left.some((f) => f.endsWith('-newest-rule.scap')));
  assert.ok(fs.existsSync(path.join(dir, 'other.txt')));
});

test('falco-ts test --record adds a passing case with what fired', { skip: SKIP ?? undefined, timeout: 60_000 }, () => {
  const dir = tmpDir('falco-ts-record-');
  const spec = path.join(dir, 'spec.yaml');
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'test',
      '--record',
      'shadow read',
      '--spec',
      spec,
      '-r',
      'default',
      '--must-not-fire',
      'Write below /etc',
      '--',
      'cat',
      '/etc/shadow',
    ],
    { env: { PATH: '/usr/bin:/bin', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.equal(r.status, 0, r.stderr.toString());
  const text = fs.readFileSync(spec, 'utf8');
  assert.match(text, /name: shadow read/);
  assert.match(text, /Read of sensitive file by unexpected program: 1/);
  assert.ok(fs.existsSync(path.join(dir, 'shadow-read.scap')));
  const t = runCli(['test', spec]);
  assert.equal(t.status, 0, t.stdout.toString());
  assert.match(t.stdout.toString(), /^PASS {2}.* :: shadow read/m);
});
