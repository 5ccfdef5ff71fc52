/**
 * `falco-ts stats` on real captures against counts computed independently from
 * `sysdig -r F -p ...` (or, without sysdig, from our own `replay -p` lines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { SCAP_DIR, runCli, runSysdig, sharedSkipReason, which } from './helpers/env';

const FMT = '*%proc.name\t%evt.type\t%fd.type\t%fd.name\t%evt.is_io\t%evt.dir\t%evt.rawres\t%container.id\t%fd.l4proto';

interface Row {
  key: string;
  events: number;
  bytes: number;
}
/** `stats --json` */
type StatsJson = { events: number; bytes: number; filter?: string } & Record<
  'processes' | 'syscalls' | 'files' | 'connections',
  { distinct: number; by_events: Row[]; by_bytes: Row[] }
>;
type Counts = Record<'processes' | 'syscalls' | 'files' | 'connections', Map<string, [number, number]>> & {
  events: number;
  bytes: number;
};

/** Counts from -p lines, with the definitions stats documents. */
function countLines(text: string): Counts {
  const c: Counts = {
    processes: new Map(),
    syscalls: new Map(),
    files: new Map(),
    connections: new Map(),
    events: 0,
    bytes: 0,
  };
  const add = (m: Map<string, [number, number]>, k: string, b: number) => {
    const r = m.get(k) ?? [0, 0];
    r[0]++;
    r[1] += b;
    m.set(k, r);
  };
  for (const l of text.split('\n')) {
    if (l === '') continue;
    const [pn, et, ft, fn, io, dir, res, , l4] = l.split('\t');
    const b = dir === '<' && io === 'true' && Number(res) > 0 ? Number(res) : 0;
    c.events++;
    c.bytes += b;
    add(c.processes, pn, b);
    add(c.syscalls, et, b);
    const named = fn !== '<NA>' && fn !== '';
    if ((ft === 'file' || ft === 'directory') && named) add(c.files, fn, b);
    if ((ft === 'ipv4' || ft === 'ipv6') && named) add(c.connections, `${l4} ${fn}`, b);
  }
  return c;
}

const CAPTURES = [
  'libs_curl_google.scap',
  'bencer_example4_example4-1.scap',
  'sysdiginspect_502Error.scap',
  'falco_psp_run_as_user_0_container.scap',
];

test('stats --json matches counts computed independently from -p output', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const useSysdig = which('sysdig') !== null;
  for (const name of CAPTURES) {
    const file = path.join(SCAP_DIR, name);
    const ref = useSysdig ? runSysdig(['-r', file, '-p', FMT]) : runCli(['replay', file, '-p', FMT]);
    assert.equal(ref.status, 0);
    const want = countLines(ref.stdout.toString('utf8'));
    const top = 1000000;
    const r = runCli(['stats', file, '--json', '--top', String(top)]);
    assert.equal(r.status, 0, r.stderr.toString());
    const got = JSON.parse(r.stdout.toString('utf8')) as StatsJson;
    assert.equal(got.events, want.events, `${name}: events`);
    assert.equal(got.bytes, want.bytes, `${name}: bytes`);
    for (const k of ['processes', 'syscalls', 'files', 'connections'] as const) {
      const rows: Row[] = got[k].by_events;
      assert.equal(got[k].distinct, want[k].size, `${name}: distinct ${k}`);
      const m = new Map(rows.map((x) => [x.key, [x.events, x.bytes] as [number, number]]));
      assert.deepEqual(m, want[k], `${name}: ${k}`);
      // sorted by events, then bytes
      for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].events >= rows[i].events);
      const bb: Row[] = got[k].by_bytes;
      for (let i = 1; i < bb.length; i++) assert.ok(bb[i - 1].bytes >= bb[i].bytes);
    }
  }
});

test('stats: tables, --top, filter, errors', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const file = path.join(SCAP_DIR, 'bencer_example5_httpd.scap');
  const r = runCli(['stats', file, '--top', '3']);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString('utf8');
  for (const s of [
    'Top processes',
    'Top syscalls',
    'Top files',
    'Top connections',
    'Top containers',
    'httpd',
    'writev',
    'tcp 172.18.0.1:60304->172.18.0.3:80',
    '20,480,339',
  ]) {
    assert.ok(out.includes(s), `${s} missing:\n${out}`);
  }
  assert.ok(!out.includes('\x1b['), 'no colours when piped');
  assert.equal(r.stderr.length, 0);
  const sysRows = /Syscall \((\d+) distinct\)/.exec(out);
  assert.ok(sysRows && Number(sysRows[1]) > 3);
  const f = JSON.parse(runCli(['stats', file, '--json', 'evt.type=writev']).stdout.toString('utf8')) as StatsJson;
  assert.deepEqual(
    f.syscalls.by_events.map((x) => x.key),
    ['writev'],
  );
  assert.equal(f.filter, 'evt.type=writev');
  const bad = runCli(['stats', file, '--top', '0']);
  assert.equal(bad.status, 2);
  const missing = runCli(['stats', '/nonexistent.scap']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr.toString(), /no such file/);
});
