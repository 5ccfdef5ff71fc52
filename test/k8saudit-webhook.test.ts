/**
 * The k8saudit webhook source (src/plugins/k8saudit/webhook-source.ts) on loopback: Falco's
 * audit events POSTed as the API server's webhook backend posts them come out as the same
 * events (payload and time) as from the file source; refused requests get the Go plugin's
 * status codes and are counted; HTTPS works with one PEM holding key and certificate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { SourcedEvent, SourceInstance } from '../src/plugins/api';
import { createK8sAuditPlugin } from '../src/plugins/k8saudit/k8saudit-plugin';
import { AuditWebhookSource, parseWebhookParams } from '../src/plugins/k8saudit/webhook-source';
import { DEFAULT_CONFIG } from '../src/plugins/k8saudit/config';
import { SHARED, sharedSkipReason, tmpDir, which } from './helpers/env';
import { selfSignedCert } from './helpers/tls';
import { drainSource } from './helpers/plugin-source';

const TRACES = path.join(SHARED, 'falco-tests', 'files', 'test', 'trace_files', 'k8s_audit');
const skip = sharedSkipReason() ?? false;

async function take(src: SourceInstance, n: number): Promise<SourcedEvent[]> {
  const out: SourcedEvent[] = [];
  for (let tries = 0; out.length < n && tries < 200; tries++) {
    const b = await src.next();
    if (b.kind !== 'timeout') out.push(...(b.events ?? []));
  }
  return out;
}

function fileEvents(f: string): SourcedEvent[] {
  return drainSource(createK8sAuditPlugin({ warn: () => {} }).open!(f) as SourceInstance);
}

const post = (url: string, body: string, type = 'application/json'): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': type }, body });

const same = (a: SourcedEvent[], b: SourcedEvent[]): void =>
  assert.deepEqual(
    a.map((e) => [Buffer.from(e.data).toString(), e.ts]),
    b.map((e) => [Buffer.from(e.data).toString(), e.ts]),
  );

test('webhook: open_params as the Go plugin reads them', () => {
  assert.deepEqual(parseWebhookParams('http://:9765/k8s-audit'), {
    tls: false,
    host: '',
    port: 9765,
    path: '/k8s-audit',
  });
  assert.deepEqual(parseWebhookParams('https://[::1]:8443/a/b'), { tls: true, host: '::1', port: 8443, path: '/a/b' });
  assert.throws(() => parseWebhookParams('http://x:99999/a'), /bad port/);
});

test("webhook: Falco's audit events in, the file source's events out", { skip }, async () => {
  const warnings: string[] = [];
  const p = createK8sAuditPlugin({ warn: (m) => warnings.push(m) });
  const src = (await p.open!('http://127.0.0.1:0/k8s-audit')) as AuditWebhookSource;
  try {
    const url = `http://127.0.0.1:${src.address().port}/k8s-audit`;
    const files = fs.readdirSync(TRACES).filter((f) => f.endsWith('.json') && f !== 'fal_01_003.json');
    let want: SourcedEvent[] = [];
    for (const f of files.sort()) {
      const lines = fs.readFileSync(path.join(TRACES, f), 'utf8').split('\n').filter(Boolean);
      // one file as an EventList, the others a request per line
      const bodies =
        f === 'create_configmap_sensitive_values.json'
          ? [JSON.stringify({ kind: 'EventList', items: lines.map((l) => JSON.parse(l) as unknown) })]
          : lines;
      for (const b of bodies) assert.equal((await post(url, b)).status, 200);
      want = want.concat(fileEvents(path.join(TRACES, f)));
    }
    assert.equal(want.length, 51);
    same(await take(src, want.length), want);
    assert.deepEqual(src.stats, { received: 51, dropped: 0, badRequests: 0 });

    // refused: each answered as the plugin does, counted, the server goes on
    assert.equal((await fetch(url)).status, 405);
    assert.equal((await post(url, '{}', 'text/plain')).status, 400);
    const bad = await post(url, '{"kind": "Ev');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /^bad request: /);
    const notAudit = await post(url, fs.readFileSync(path.join(TRACES, 'fal_01_003.json'), 'utf8'));
    assert.equal(notAudit.status, 400);
    assert.match(await notAudit.text(), /data not recognized as a k8s audit event/);
    assert.equal((await post(url.replace('/k8s-audit', '/other'), '{}')).status, 404);
    assert.equal(src.stats.badRequests, 4);
    assert.ok(warnings.some((w) => /data not recognized/.test(w)));
    const line = fs.readFileSync(path.join(TRACES, 'create_secret.json'), 'utf8').trim();
    assert.equal((await post(url, line)).status, 200);
    same(await take(src, 1), fileEvents(path.join(TRACES, 'create_secret.json')));
  } finally {
    await src.close();
  }
  assert.deepEqual(await src.next(), { kind: 'eof' });
});

test('webhook: body size limit, bounded queue, listen errors', { skip }, async () => {
  const line = fs.readFileSync(path.join(TRACES, 'create_secret.json'), 'utf8').trim();
  const config = { ...DEFAULT_CONFIG, webhookMaxBatchSize: line.length + 10 };
  const src = await AuditWebhookSource.open('http://127.0.0.1:0/audit', config, () => {}, 1);
  try {
    const url = `http://127.0.0.1:${src.address().port}/audit`;
    const big = await post(url, `[${line},${line}]`);
    assert.equal(big.status, 400);
    assert.match(await big.text(), /request body too large/);
    assert.equal((await post(url, line)).status, 200);
    // the queue holds one event: the next is dropped and counted
    assert.equal((await post(url, line)).status, 503);
    assert.deepEqual(src.stats, { received: 1, dropped: 1, badRequests: 1 });
    await assert.rejects(
      AuditWebhookSource.open(`http://127.0.0.1:${src.address().port}/audit`, config, () => {}),
      /^Error: k8saudit: cannot listen on http:\/\/127\.0\.0\.1:\d+\/audit: EADDRINUSE$/,
    );
  } finally {
    await src.close();
  }
  const p = createK8sAuditPlugin();
  void p.init!('{"sslCertificate": "/nonexistent/falco.pem"}');
  await assert.rejects(
    Promise.resolve(p.open!('https://127.0.0.1:0/k8s-audit')),
    /cannot read sslCertificate .*ENOENT/,
  );
});

test('webhook: HTTPS with one PEM file holding key and certificate', { skip: skip || !which('openssl') }, async () => {
  const dir = tmpDir('k8saudit-tls-');
  const c = selfSignedCert(dir, 'localhost', 'IP:127.0.0.1');
  assert.ok(c);
  const pem = path.join(dir, 'falco.pem');
  fs.writeFileSync(pem, fs.readFileSync(c.key, 'utf8') + fs.readFileSync(c.cert, 'utf8'));
  const p = createK8sAuditPlugin();
  void p.init!(JSON.stringify({ sslCertificate: pem }));
  const src = (await p.open!('https://127.0.0.1:0/k8s-audit')) as AuditWebhookSource;
  try {
    const line = fs.readFileSync(path.join(TRACES, 'create_secret.json'), 'utf8').trim();
    const status = await new Promise<number>((resolve, reject) => {
      const r = https.request(
        {
          host: '127.0.0.1',
          port: src.address().port,
          path: '/k8s-audit',
          method: 'POST',
          ca: fs.readFileSync(c.cert),
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', reject);
      r.end(line);
    });
    assert.equal(status, 200);
    same(await take(src, 1), fileEvents(path.join(TRACES, 'create_secret.json')));
  } finally {
    await src.close();
  }
});
