/**
 * HTTP output against a local falcosidekick stand-in (127.0.0.1 only): every alert of a real
 * replay arrives exactly once; with the server down then up, alerts are retried and the
 * counts add up; a server that never answers fills the bounded queue, drops are counted and
 * the producer goes on. Timeouts are generous and every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { HttpOutput, redactUrl } from '../src/output/http';
import { OutputManager } from '../src/output/manager';
import { renderSummary } from '../src/ui/summary-table';
import { RunStats } from '../src/ui/summary';
import { SCAP_DIR, sharedSkipReason, tmpDir, which } from './helpers/env';
import { selfSignedCert } from './helpers/tls';
import { freePort, makeAlert, replayAlerts, startSidekick, until } from './helpers/output-fixtures';

const CAPTURE = path.join(SCAP_DIR, 'sysdiginspect_502Error.scap');

test('http: every alert of a replay reaches falcosidekick exactly once', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const sk = await startSidekick();
  try {
    const logs: string[] = [];
    const mgr = OutputManager.create([sk.url], { log: (m) => logs.push(m) });
    const nums = await replayAlerts(CAPTURE, 'evt.dir = <', mgr);
    assert.ok(nums.length > 1000, `expected many alerts, got ${nums.length}`);
    const report = await mgr.close(60000);
    const row = report.outputs[0];
    assert.equal(row.sent, nums.length);
    assert.equal(row.failed + row.dropped, 0, JSON.stringify(row) + logs.join('\n'));
    assert.equal(sk.accepted, nums.length);
    assert.equal(sk.rejected, 0);
    for (const n of nums) assert.equal(sk.received.get(n), 1, `evt.num ${n} received ${sk.received.get(n)} times`);
    assert.equal(sk.received.size, nums.length);
    assert.equal(report.alerts.total, nums.length);
    assert.equal(sk.lastHeaders?.['content-type'], 'application/json');
    assert.equal(sk.lastHeaders?.connection, 'keep-alive');
  } finally {
    await sk.close();
  }
});

test('http: an alert falcosidekick rejects (400) counts as failed, is not retried, the rest go on', async () => {
  const sk = await startSidekick();
  try {
    const logs: string[] = [];
    const out = new HttpOutput(sk.url, { log: (m) => logs.push(m) });
    out.emit(makeAlert(1));
    out.emit(makeAlert(2, { fields: {} }));
    out.emit(makeAlert(3, { rule: '' }));
    out.emit(makeAlert(4));
    await out.close(20000);
    assert.deepEqual(out.counters, { sent: 2, retried: 0, failed: 2, dropped: 0 });
    assert.equal(sk.rejected, 2);
    assert.ok(
      logs.some((l) => /HTTP 400/.test(l)),
      logs.join('\n'),
    );
  } finally {
    await sk.close();
  }
});

test('http: server down then up: alerts are retried with backoff and all arrive once', async () => {
  const port = await freePort();
  const logs: string[] = [];
  const out = new HttpOutput(`http://127.0.0.1:${port}/`, {
    backoffMs: 20,
    maxBackoffMs: 200,
    maxRetries: 1000,
    concurrency: 2,
    log: (m) => logs.push(m),
  });
  const N = 200;
  for (let i = 1; i <= N; i++) out.emit(makeAlert(i));
  // the server is down: connection refused, retried
  assert.ok(await until(() => out.counters.retried >= 3), 'no retries while the server is down');
  assert.equal(out.counters.sent, 0);
  const sk = await startSidekick({ port });
  try {
    await out.close(60000);
    const c = out.counters;
    assert.equal(c.sent, N, JSON.stringify(c));
    assert.equal(c.failed + c.dropped, 0);
    assert.ok(c.retried >= 3);
    assert.equal(c.sent + c.failed + c.dropped, N);
    for (let i = 1; i <= N; i++) assert.equal(sk.received.get(i), 1, `alert ${i}`);
    assert.ok(
      logs.some((l) => /ECONNREFUSED/.test(l)),
      logs.join('\n'),
    );
    assert.ok(
      logs.some((l) => /delivering again/.test(l)),
      logs.join('\n'),
    );
  } finally {
    await sk.close();
  }
});

test('http: a server that never answers fills the bounded queue; drops are counted and the replay goes on', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const sk = await startSidekick({ silent: true });
  try {
    const logs: string[] = [];
    const cap = 50;
    const mgr = OutputManager.create([sk.url], {
      queueCapacity: cap,
      http: { timeoutMs: 120000, concurrency: 2, maxRetries: 0 },
      log: (m) => logs.push(m),
    });
    const started = Date.now();
    const stats = new RunStats();
    const nums = await replayAlerts(CAPTURE, 'evt.dir = <', mgr);
    const replayMs = Date.now() - started;
    assert.ok(nums.length > 1000);
    // the producer was never blocked by the silent server
    assert.ok(replayMs < 60000, `replay took ${replayMs} ms`);
    const out = mgr.outputs[0];
    assert.ok(out.counters.dropped >= nums.length - cap - 2, JSON.stringify(out.counters));
    assert.ok(out.pending() <= cap + 2);
    assert.ok(
      logs.some((l) => /queue full/.test(l)),
      logs.join('\n'),
    );
    const closeStart = Date.now();
    const report = await mgr.close(300);
    assert.ok(Date.now() - closeStart < 10000, 'close is bounded by its timeout');
    const row = report.outputs[0];
    // nothing lost silently: every alert is sent, failed or dropped
    assert.equal(row.sent + row.failed + row.dropped, nums.length, JSON.stringify(row));
    assert.equal(row.sent, 0);
    assert.equal(row.pending, 0);
    stats.eventsRead = 1;
    stats.eventsMatched = nums.length;
    const text = renderSummary(stats.finish('x.scap', report));
    assert.match(text, /Dropped/);
    assert.ok(text.includes(row.dropped.toLocaleString('en-US')), text);
  } finally {
    await sk.close();
  }
});

test('http: credentials never appear in names or logs; they reach the server as Basic auth', async () => {
  const sk = await startSidekick();
  try {
    const url = `http://alice:s3cr3t@127.0.0.1:${sk.port}/hook?token=t0ken`;
    const logs: string[] = [];
    const mgr = OutputManager.create([url], { log: (m) => logs.push(m) });
    mgr.emit(makeAlert(1, { fields: {} })); // rejected → logged
    mgr.emit(makeAlert(2));
    const report = await mgr.close(20000);
    const shown = JSON.stringify(report) + logs.join('\n');
    assert.ok(!/s3cr3t|alice|t0ken/.test(shown), shown);
    assert.equal(report.outputs[0].name, `http://***@127.0.0.1:${sk.port}/hook?…`);
    assert.equal(sk.lastHeaders?.authorization, 'Basic ' + Buffer.from('alice:s3cr3t').toString('base64'));
    assert.equal(redactUrl('https://u:p@h.example/x'), 'https://***@h.example/x');
  } finally {
    await sk.close();
  }
});

test('https: certificates are verified by default (self-signed refused, trusted with its CA)', async (t) => {
  if (!which('openssl')) {
    t.skip('openssl not installed');
    return;
  }
  const dir = tmpDir();
  const made = selfSignedCert(dir, '127.0.0.1', 'IP:127.0.0.1');
  if (made === null) {
    t.skip('openssl could not make a certificate');
    return;
  }
  const { key, cert } = made;
  let got = 0;
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      got++;
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const logs: string[] = [];
    const untrusted = new HttpOutput(`https://127.0.0.1:${port}/`, { log: (m) => logs.push(m) });
    untrusted.emit(makeAlert(1));
    await untrusted.close(20000);
    assert.deepEqual(untrusted.counters, { sent: 0, retried: 0, failed: 1, dropped: 0 });
    assert.ok(
      logs.some((l) => /TLS verification failed/.test(l)),
      logs.join('\n'),
    );
    assert.equal(got, 0);
    const trusted = new HttpOutput(`https://127.0.0.1:${port}/`, { ca: fs.readFileSync(cert) });
    trusted.emit(makeAlert(2));
    await trusted.close(20000);
    assert.equal(trusted.counters.sent, 1);
    assert.equal(got, 1);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((res) => server.close(() => res()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
