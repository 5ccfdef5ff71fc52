/**
 * program:, file:, syslog and stdout outputs, the --output spec parser and the summary
 * table. Real processes and files; every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProgramOutput } from '../src/output/program';
import { FileOutput } from '../src/output/file';
import { OutputManager, parseOutputSpec } from '../src/output/manager';
import { rfc3339Nanos } from '../src/alert/alert';
import { alertJson } from '../src/alert/render';
import { BoundedQueue } from '../src/output/queue';
import { renderSummary } from '../src/ui/summary-table';
import { RunStats } from '../src/ui/summary';
import { InputError } from '../src/util/errors';
import { ROOT, SCAP_DIR, runCli, sharedSkipReason, tmpDir } from './helpers/env';
import { makeAlert, replayAlerts, sleep, until } from './helpers/output-fixtures';

const CAPTURE = path.join(SCAP_DIR, 'libs_curl_google.scap');

function lines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

test('program: one long-lived process gets every alert of a replay once, in order', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  const out = path.join(dir, 'out.jsonl');
  const mgr = OutputManager.create([`program:cat >> '${out}'`], { json: true });
  const nums = await replayAlerts(CAPTURE, 'evt.type in (open, openat, read, connect)', mgr);
  assert.ok(nums.length > 50);
  const report = await mgr.close(20000);
  assert.equal(report.outputs[0].sent, nums.length);
  const got = lines(out).map(
    (l) => (JSON.parse(l) as { output_fields: Record<string, unknown> }).output_fields['evt.num'],
  );
  assert.deepEqual(got, nums);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('program: restarted when it dies; alerts written after the death are retried, none lost', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'out.txt');
  const logs: string[] = [];
  const p = new ProgramOutput(`cat >> '${file}'`, { restartDelayMs: 20, log: (m) => logs.push(m) });
  for (let i = 1; i <= 100; i++) p.emit(makeAlert(i));
  assert.ok(await until(() => lines(file).length === 100), 'first batch not read');
  const pid1 = p.pid!;
  process.kill(pid1, 'SIGKILL');
  // emit while the old process is dying: writes fail (EPIPE) and are retried after the restart
  for (let i = 101; i <= 200; i++) {
    p.emit(makeAlert(i));
    if (i % 25 === 0) await sleep(5);
  }
  assert.ok(await until(() => p.restarts >= 1 && p.pid !== null && p.pid !== pid1), 'not restarted');
  await p.close(20000);
  const got = lines(file).map((l) => Number(/alert (\d+)/.exec(l)![1]));
  assert.equal(got.length, 200, `got ${got.length} lines`);
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.equal(p.counters.sent, 200);
  assert.equal(p.counters.failed + p.counters.dropped, 0);
  assert.ok(
    logs.some((l) => /exited \(signal SIGKILL\); restarting/.test(l)),
    logs.join('\n'),
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('program: a program that cannot keep up makes the bounded queue drop, counted', async () => {
  const p = new ProgramOutput('sleep 30', { queueCapacity: 10 });
  const big = 'x'.repeat(64 * 1024);
  for (let i = 0; i < 100; i++) p.emit(makeAlert(i, { text: big }));
  assert.ok(p.counters.dropped > 0);
  await p.close(200);
  const c = p.counters;
  assert.equal(c.sent + c.failed + c.dropped, 100, JSON.stringify(c));
});

test('program: names in logs show only the command word', () => {
  const p = new ProgramOutput('true');
  assert.equal(p.name, 'program:true');
  const q = new ProgramOutput("true --header 'Authorization: Bearer abc'");
  assert.equal(q.name, 'program:true …');
  void p.close(1000);
  void q.close(1000);
});

test('file: appends, creates with mode 0600, text or JSON lines', async () => {
  const dir = tmpDir();
  const f = path.join(dir, 'alerts.log');
  const a = new FileOutput(f);
  a.emit(makeAlert(1));
  a.emit(makeAlert(2));
  await a.close();
  assert.equal(fs.statSync(f).mode & 0o777, 0o600);
  const b = new FileOutput(f, { json: true });
  b.emit(makeAlert(3));
  await b.close();
  const l = lines(f);
  assert.equal(l.length, 3);
  assert.equal(l[0], '12:00:00.000000000: Warning alert 1');
  assert.deepEqual(JSON.parse(l[2]), JSON.parse(alertJson(makeAlert(3))));
  assert.deepEqual(b.counters, { sent: 1, retried: 0, failed: 0, dropped: 0 });
  // an existing file keeps its mode and content
  const g = path.join(dir, 'existing.log');
  fs.writeFileSync(g, 'old\n', { mode: 0o640 });
  fs.chmodSync(g, 0o640);
  const c = new FileOutput(g);
  c.emit(makeAlert(4));
  await c.close();
  assert.equal(fs.statSync(g).mode & 0o777, 0o640);
  assert.deepEqual(lines(g), ['old', '12:00:00.000000000: Warning alert 4']);
  assert.throws(() => new FileOutput(path.join(dir, 'no', 'such', 'dir.log')), InputError);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('file: every alert of a replay, once, through the manager together with another output', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  const f1 = path.join(dir, 'a.log'),
    f2 = path.join(dir, 'b.jsonl');
  const mgr = OutputManager.create([`file:${f1}`, `program:cat > '${f2}'`], { json: true });
  const nums = await replayAlerts(CAPTURE, 'evt.dir = <', mgr);
  const report = await mgr.close(20000);
  for (const f of [f1, f2])
    assert.deepEqual(
      lines(f).map((l) => (JSON.parse(l) as { output_fields: Record<string, unknown> }).output_fields['evt.num']),
      nums,
    );
  assert.deepEqual(
    report.outputs.map((r) => r.sent),
    [nums.length, nums.length],
  );
  assert.equal(report.alerts.total, nums.length);
  const byPri = Object.values(report.alerts.byPriority).reduce((a, b) => a + (b ?? 0), 0);
  const byRule = Object.values(report.alerts.byRule).reduce((a, b) => a + b, 0);
  assert.equal(byPri, nums.length);
  assert.equal(byRule, nums.length);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('--output specs: parsing and errors', () => {
  assert.deepEqual(parseOutputSpec('stdout'), { kind: 'stdout' });
  assert.deepEqual(parseOutputSpec('file:/tmp/x'), { kind: 'file', path: '/tmp/x' });
  assert.deepEqual(parseOutputSpec('program:jq -c .'), { kind: 'program', command: 'jq -c .' });
  assert.deepEqual(parseOutputSpec('https://h:2801/'), { kind: 'http', url: 'https://h:2801/' });
  assert.deepEqual(parseOutputSpec('syslog'), { kind: 'syslog' });
  assert.throws(() => parseOutputSpec('file:'), InputError);
  assert.throws(() => parseOutputSpec('program:'), InputError);
  assert.throws(
    () => parseOutputSpec('ftp://u:secret@h/'),
    (e: Error) => e instanceof InputError && !/secret/.test(e.message),
  );
});

test('alerts: JSON shape (sorted keys), RFC 3339 ns time', () => {
  assert.equal(rfc3339Nanos(1470327477881759471n), '2016-08-04T16:17:57.881759471Z');
  assert.equal(rfc3339Nanos(5n), '1970-01-01T00:00:00.000000005Z');
  const j = alertJson(makeAlert(1, { tags: ['b', 'a'], fields: { z: 1, a: null } }));
  assert.equal(
    j,
    '{"hostname":"test-host","output":"12:00:00.000000000: Warning alert 1","output_fields":{"a":null,"z":1},"priority":"Warning","rule":"Test rule","source":"syscall","tags":["a","b"],"time":"2016-08-04T16:17:57.881759471Z"}',
  );
});

test("alerts through the outputs keep Falco's json_include_* shape; text lines are whole whatever they say", () => {
  const demo = path.join(ROOT, 'fixtures', 'demo.scap');
  const run = (...o: string[]): string => {
    const r = runCli(['replay', demo, '-r', 'default', ...o.flatMap((x) => ['-o', x])], {
      env: { TZ: 'UTC', FALCO_HOSTNAME: 'h' },
    });
    assert.equal(r.status, 0, r.stderr.toString());
    return r.stdout.toString();
  };
  const keys = (out: string): string[] => Object.keys(JSON.parse(out.split('\n')[0]) as object);
  assert.deepEqual(keys(run('json_output=true')), [
    'hostname',
    'output',
    'output_fields',
    'priority',
    'rule',
    'source',
    'tags',
    'time',
  ]);
  assert.deepEqual(keys(run('json_output=true', 'json_include_tags_property=false')), [
    'hostname',
    'output',
    'output_fields',
    'priority',
    'rule',
    'source',
    'time',
  ]);
  assert.deepEqual(keys(run('json_output=true', 'json_include_output_property=false')), [
    'hostname',
    'output_fields',
    'priority',
    'rule',
    'source',
    'tags',
    'time',
  ]);
  assert.deepEqual(keys(run('json_output=true', 'json_include_message_property=true')), [
    'hostname',
    'message',
    'output',
    'output_fields',
    'priority',
    'rule',
    'source',
    'tags',
    'time',
  ]);
  // the json_* keys do not touch text output
  const text = run();
  assert.match(text, /^\d\d:\d\d:\d\d\.\d{9}: \w+ /);
  assert.equal(run('json_include_output_property=false', 'json_include_tags_property=false'), text);
});

test('queue: bounded, counts refusals, retries go back in front', () => {
  const q = new BoundedQueue<number>(3);
  assert.ok(q.push(1) && q.push(2) && q.push(3));
  assert.equal(q.push(4), false);
  assert.equal(q.refused, 1);
  assert.equal(q.shift(), 1);
  q.unshift(1);
  assert.deepEqual(q.drain(), [1, 2, 3]);
  // Past the first 1,024 slots the ring grows while its head has moved (wrapped): order,
  // the capacity and the counters must survive every growth.
  const b = new BoundedQueue<number>(5000);
  let pushed = 0,
    shifted = 0;
  for (let round = 0; round < 3000; round++) {
    for (let k = 0; k < 5; k++) {
      if (b.push(pushed)) pushed++;
    }
    for (let k = 0; k < 3; k++) assert.equal(b.shift(), shifted++, `round ${round}: FIFO order`);
  }
  // +2 a round: round 2,498 starts at 4,996 (1 push refused), each of the 501 after it at
  // 4,997 (2 refused)
  assert.equal(b.highWater, 5000);
  assert.equal(b.refused, 1 + 501 * 2);
  assert.equal(b.accepted, pushed);
  const rest = b.drain();
  assert.equal(rest.length, pushed - shifted);
  assert.deepEqual(
    rest,
    Array.from({ length: rest.length }, (_, i) => shifted + i),
  );
});

test('summary table: run figures, alerts by priority and rule, output counters', () => {
  const s = new RunStats();
  s.eventsRead = 1234;
  s.eventsMatched = 56;
  s.addDrops('events of unknown type (skipped)', 7);
  const text = renderSummary(
    s.finish('t.scap', {
      alerts: { total: 3, byPriority: { Critical: 1, Warning: 2 }, byRule: { 'Rule A': 2, 'Rule B': 1 } },
      outputs: [{ name: 'http://***@h/', sent: 2, retried: 4, failed: 0, dropped: 1, pending: 0 }],
    }),
  );
  for (const s2 of [
    '1,234',
    'events matched',
    'Critical',
    'Warning',
    'Rule A',
    'Retried',
    'Dropped',
    'events of unknown type',
    'events/s',
  ]) {
    assert.ok(text.includes(s2), `${s2} missing:\n${text}`);
  }
  assert.ok(!/\x1b\[/.test(text), 'no colours unless asked');
});
