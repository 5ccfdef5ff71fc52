/**
 * The k8saudit file-watch source (file:///path, src/plugins/k8saudit/watch-source.ts): a log
 * written while it is followed. What the file held at open is skipped; appended lines come
 * out once complete; truncation and rotation restart at the new file's start; bad lines are
 * warned about and skipped. The events equal the file source's for the same lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceInstance, SourcedEvent } from '../src/plugins/api';
import { createK8sAuditPlugin } from '../src/plugins/k8saudit/k8saudit-plugin';
import { watchPath } from '../src/plugins/k8saudit/watch-source';
import { SHARED, sharedSkipReason, tmpDir } from './helpers/env';
import { drainSource } from './helpers/plugin-source';

const TRACES = path.join(SHARED, 'falco-tests', 'files', 'test', 'trace_files', 'k8s_audit');
const skip = sharedSkipReason() ?? false;

const line = (f: string): string => fs.readFileSync(path.join(TRACES, f), 'utf8').trim();
const fileEvents = (f: string): SourcedEvent[] =>
  drainSource(createK8sAuditPlugin({ warn: () => {} }).open!(path.join(TRACES, f)) as SourceInstance);
const ids = (evs: SourcedEvent[]): unknown[] =>
  evs.map((e) => (JSON.parse(Buffer.from(e.data).toString()) as { auditID: string }).auditID);

/** the events of the next poll that has some (or [] after a few empty ones) */
async function poll(src: SourceInstance): Promise<SourcedEvent[]> {
  for (let i = 0; i < 5; i++) {
    const b = await src.next();
    if (b.kind === 'events') return b.events;
    assert.equal(b.kind, 'timeout');
  }
  return [];
}

test('watch: open_params paths as Go reads file:// URLs', () => {
  assert.equal(watchPath('file:///var/log/audit.log'), '/var/log/audit.log');
  assert.equal(watchPath('file://host/var/log/audit.log'), '/var/log/audit.log');
  assert.equal(watchPath('file://'), '');
});

test('watch: appended lines, partial lines, truncation, rotation, bad lines', { skip }, async () => {
  const dir = tmpDir('k8saudit-watch-');
  const log = path.join(dir, 'audit.log');
  fs.writeFileSync(log, line('create_secret.json') + '\n');
  const warnings: string[] = [];
  const p = createK8sAuditPlugin({ warn: (m) => warnings.push(m) });
  const src = await p.open!(`file://${log}`);
  try {
    assert.deepEqual(await poll(src), []); // what was there at open is skipped
    fs.appendFileSync(log, line('delete_secret.json') + '\n' + line('create_service.json') + '\n');
    const got = await poll(src);
    assert.deepEqual(
      got.map((e) => [Buffer.from(e.data).toString(), e.ts]),
      [...fileEvents('delete_secret.json'), ...fileEvents('create_service.json')].map((e) => [
        Buffer.from(e.data).toString(),
        e.ts,
      ]),
    );
    // a line is read once it ends
    const half = line('delete_service.json');
    fs.appendFileSync(log, half.slice(0, 100));
    assert.deepEqual(await poll(src), []);
    fs.appendFileSync(log, half.slice(100) + '\n{"kind": "Ev\n');
    assert.deepEqual(ids(await poll(src)), ids(fileEvents('delete_service.json')));
    assert.match(warnings.at(-1)!, /audit\.log:\d+: bad audit JSON: /);
    // copytruncate: the file starts again
    fs.writeFileSync(log, line('create_configmap.json') + '\n');
    assert.deepEqual(ids(await poll(src)), ids(fileEvents('create_configmap.json')));
    // rotation: renamed away, a new file in its place
    fs.renameSync(log, log + '.1');
    assert.deepEqual(await poll(src), []);
    fs.writeFileSync(log, line('delete_configmap.json') + '\n');
    assert.deepEqual(ids(await poll(src)), ids(fileEvents('delete_configmap.json')));
  } finally {
    await src.close?.();
  }
  assert.deepEqual(await src.next(), { kind: 'eof' });
});
