/**
 * `falco-ts sysdig ...` (and falco-ts run as `sysdig`) against live sysdig 0.29.3 given the
 * same command line: the event lines, the -S table, the trace -w writes, the -l lists and the
 * error lines and statuses must be byte-identical, apart from the named entries of
 * ./deliberate-differences.ts that the capture plans apply (helpers/sysdig-compare.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, SCAP_DIR, runCli, runSysdig, sharedSkipReason, sysdigSkipReason, tmpDir } from './helpers/env';
import { capturePlans, lineDifferences, lines, normaliseSysdigJson, withoutFields } from './helpers/sysdig-compare';
import { DIFFERENCES, type Difference } from './deliberate-differences';

function skipReason(): string | null {
  return sharedSkipReason() ?? sysdigSkipReason();
}

const FORMAT = '%evt.num %evt.time %proc.name %thread.tid %evt.dir %evt.type %fd.name %evt.args';
const ARGS: string[][] = [
  [],
  ['-p', FORMAT],
  ['-j'],
  ['-A'],
  ['-x'],
  ['-X'],
  ['-t', 'r'],
  ['-v', 'fd.type=file'],
  ['-d', 'evt.dir=<', 'and', 'fd.num>=0'],
  ['-pc', '-n', '400'],
];
/** a spread of the shared captures: containers, networks, a generic syscall, a large one */
const CAPTURES = [
  'falco_cat_write.scap',
  'falco_psp_privileged.scap',
  'libs_curl_google.scap',
  'libs_single_ipv6_conn.scap',
  'bencer_example0_nginx.scap',
  'sysdiginspect_502Error.scap',
];

test('sysdig -r F [-p|-j|-A|-x|-X|-t r|-v|-d|-pc|filter]: the same lines as sysdig', (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const failures: string[] = [];
  let compared = 0;
  for (const p of capturePlans().filter((x) => CAPTURES.includes(x.name))) {
    const fields = p.leftOut.map((l) => l.field);
    for (const args of ARGS) {
      const a = withoutFields(args, fields);
      const ref = runSysdig(['-r', p.sysdig, ...a]);
      const ours = runCli(['sysdig', '-r', p.ours, ...a]);
      assert.equal(ref.status, 0, `${p.name} ${a.join(' ')}: sysdig failed: ${ref.stderr.toString()}`);
      let r = lines(ref.stdout);
      if (a.includes('-j')) r = r.map(normaliseSysdigJson);
      const diffs = lineDifferences(r, lines(ours.stdout));
      if (ours.status !== 0) diffs.push(`exit ${ours.status}: ${ours.stderr.toString().trim()}`);
      if (diffs.length) failures.push(`${p.name} ${a.join(' ')}:\n    ${diffs.join('\n    ')}`);
      compared += r.length;
    }
  }
  t.diagnostic(`${compared} lines compared`);
  assert.ok(compared > 10000, `only ${compared} lines compared`);
  assert.deepEqual(failures, []);
});

test('sysdig -S: the same summary table as sysdig on every capture, filtered and not', (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const failures: string[] = [];
  let rows = 0;
  for (const p of capturePlans()) {
    for (const args of [
      ['-S', '-q'],
      ['-S', '-q', 'evt.dir=<'],
      ['-qS', '-n', '1000', 'fd.type=ipv4'],
    ]) {
      const ref = runSysdig(['-r', p.sysdig, ...args]);
      const ours = runCli(['sysdig', '-r', p.ours, ...args]);
      if (ref.stdout.toString('latin1') !== ours.stdout.toString('latin1') || ours.status !== 0)
        failures.push(
          `${p.name} ${args.join(' ')}: ${lineDifferences(lines(ref.stdout), lines(ours.stdout)).join('; ')}`,
        );
      rows += lines(ref.stdout).length - 3;
    }
  }
  t.diagnostic(`${rows} summary rows compared`);
  assert.deepEqual(failures, []);
});

test('sysdig -r F -w OUT [-z] filter: sysdig reads OUT back as the filtered replay of F', (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const dir = tmpDir('falco-ts-sysdig-w-');
  const fmt = ['-p', '*%proc.name %thread.tid %evt.dir %evt.type %fd.name %evt.info'];
  for (const [name, filter] of [
    ['libs_curl_google.scap', ['fd.type=file', 'or', 'fd.type=ipv4']],
    ['bencer_example0_nginx.scap', ['proc.name=nginx', 'and', 'evt.dir=<']],
  ] as const) {
    const f = path.join(SCAP_DIR, name);
    for (const z of [[], ['-z']]) {
      const out = path.join(dir, `${name}${z.join('')}.scap`);
      const w = runCli(['sysdig', '-r', f, '-w', out, ...z, ...filter]);
      assert.equal(w.status, 0, w.stderr.toString());
      // sysdig's progress line, which -w turns on
      assert.equal(
        w.stderr.toString(),
        runSysdig(['-r', f, '-w', path.join(dir, 'ref.scap'), ...filter]).stderr.toString(),
      );
      assert.equal(fs.statSync(out).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(out)[0] === 0x1f, z.length > 0, 'gzip exactly with -z');
      const back = runSysdig(['-r', out, ...fmt]);
      assert.equal(back.status, 0, back.stderr.toString());
      const ref = runSysdig(['-r', f, ...fmt, ...filter]);
      assert.ok(lines(ref.stdout).length > 10, `${name}: only ${lines(ref.stdout).length} lines`);
      assert.deepEqual(lines(back.stdout), lines(ref.stdout), `${name} ${z.join('')}`);
    }
  }
});

/** field name -> its lines in a sysdig -l listing (class headers left out) */
function fieldBlocks(text: string): { fields: Map<string, string>; headers: string[] } {
  const fields = new Map<string, string>();
  const headers: string[] = [];
  let cur: string | null = null;
  for (const l of text.split('\n')) {
    if (l.startsWith('Field Class:') || l.startsWith('Description:')) {
      headers.push(l);
      cur = 'header';
    } else if (l === '' || l.startsWith('---')) cur = null;
    else if (l.startsWith(' ')) {
      if (cur === 'header') headers[headers.length - 1] += '\n' + l;
      else if (cur !== null) fields.set(cur, fields.get(cur) + '\n' + l);
    } else {
      cur = l.split(' ')[0];
      fields.set(cur, l);
    }
  }
  return { fields, headers };
}

function differenceFields(kinds: Difference['kind'][]): Set<string> {
  const s = new Set<string>();
  for (const d of Object.values(DIFFERENCES as Record<string, Difference>)) {
    if (d.kind === 'field-description' && kinds.includes(d.kind)) d.fields.forEach((f) => s.add(f));
    if (d.kind === 'field-type' && kinds.includes(d.kind)) Object.keys(d.types).forEach((f) => s.add(f));
  }
  return s;
}

test('sysdig -l, -lv, --list-markdown: every field sysdig lists, as it lists it; -L identical', (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  for (const [args, allowed] of [
    [['-l'], differenceFields(['field-description'])],
    [['-lv'], differenceFields(['field-description', 'field-type'])],
  ] as const) {
    const ref = fieldBlocks(runSysdig([...args]).stdout.toString('latin1'));
    const ours = fieldBlocks(runCli(['sysdig', ...args]).stdout.toString('latin1'));
    assert.ok(ref.fields.size >= 250);
    for (const h of ref.headers) assert.ok(ours.headers.includes(h), `${args.join(' ')}: class header ${h}`);
    const bad: string[] = [];
    let same = 0;
    for (const [name, block] of ref.fields) {
      const o = ours.fields.get(name);
      if (o === undefined) bad.push(`${name}: missing`);
      else if (o === block) {
        same++;
        if (allowed.has(name)) bad.push(`${name}: listed as a deliberate difference but identical`);
      } else if (!allowed.has(name)) bad.push(`${name}:\n  sysdig: ${block}\n  ours:   ${o}`);
    }
    t.diagnostic(`${args.join(' ')}: ${same} of ${ref.fields.size} fields identical, ${ours.fields.size} listed`);
    assert.deepEqual(bad, []);
  }
  const md = runSysdig(['--list-markdown']).stdout.toString('latin1').split('\n');
  const ourMd = new Set(runCli(['sysdig', '--list-markdown']).stdout.toString('latin1').split('\n'));
  const allowed = differenceFields(['field-description', 'field-type']);
  const missing = md.filter((l) => l !== '' && !ourMd.has(l) && !allowed.has(/^`([^`]+)`/.exec(l)?.[1] ?? ''));
  assert.deepEqual(missing, []);
  // -L: sysdig's 265 lines first (list.test.ts checks the newer events after them)
  const ev = lines(runSysdig(['-L']).stdout);
  assert.deepEqual(lines(runCli(['sysdig', '-L']).stdout).slice(0, ev.length), ev);
});

test('run as sysdig through a symlink: the same command line', (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const link = path.join(tmpDir('falco-ts-argv0-'), 'sysdig');
  fs.symlinkSync(BIN, link);
  const f = path.join(SCAP_DIR, 'libs_curl_google.scap');
  const run = (args: string[]) => spawnSync(link, args, { env: { ...process.env, TZ: 'UTC' } });
  for (const args of [['-r', f, '-n', '400', 'proc.name=curl'], ['--bogus'], ['-r', f, '-qS']]) {
    const ref = runSysdig(args);
    const ours = run(args);
    assert.equal(ours.status, ref.status, args.join(' '));
    assert.equal(ours.stdout.toString('latin1'), ref.stdout.toString('latin1'), args.join(' '));
  }
});

test("bad options, values and filters: sysdig's line on stderr and its status", (t) => {
  const skip = skipReason();
  if (skip) return t.skip(skip);
  const f = path.join(SCAP_DIR, 'falco_cat_write.scap');
  const cases: string[][] = [
    ['--bogus'],
    ['--bogus=3'],
    ['-Y'],
    ['-qY'],
    ['-N', 'x'],
    ['-r'],
    ['--read'],
    ['--pri'],
    ['--li'],
    ['--version=3'],
    ['--numevents'],
    ['-AX'],
    ['-xA'],
    ['--list=3'],
    ['-n0', '-r', f],
    ['-n', 'abc', '-r', f],
    ['-M', 'abc', '-r', f],
    ['-C', '0'],
    ['-e', '0'],
    ['-G', 'x'],
    ['-W', '0'],
    ['-t', 'q', '-r', f],
    ['-r', '/nonexistent.scap'],
    ['-r', f, 'evt.type=opne'],
    ['-r', f, 'foo.bar=1'],
    ['-r', f, 'proc.name=cat and foo.bar=1'],
    ['-r', f, 'fd.num=abc'],
    ['-r', f, 'proc.name=cat and'],
    ['-r', f, 'not foo'],
    ['-r', f, '--', '-n', '5'],
    ['-r', f, '-S', '-n', '0'],
    ['-P', '-n', '3'],
    ['-pp'],
    ['--version'],
    ['--libs-version'],
  ];
  const bad: string[] = [];
  for (const args of cases) {
    const ref = runSysdig(args);
    const ours = runCli(['sysdig', ...args]);
    const same =
      ours.status === ref.status &&
      ours.stderr.toString('latin1') === ref.stderr.toString('latin1') &&
      ours.stdout.toString('latin1') === ref.stdout.toString('latin1');
    if (!same)
      bad.push(
        `${args.join(' ')}: sysdig ${ref.status} ${JSON.stringify(ref.stderr.toString())}, ours ${ours.status} ${JSON.stringify(ours.stderr.toString())}`,
      );
  }
  assert.deepEqual(bad, []);
  // what falco-ts does not have is one line and status 1, never a run
  const chisel = runCli(['sysdig', '-c', 'topfiles_bytes']);
  assert.equal(chisel.status, 1);
  assert.match(chisel.stderr.toString(), /^sysdig: option -c: chisels not supported by falco-ts\n$/);
});
