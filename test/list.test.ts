/**
 * `falco-ts list events|fields`: sysdig -L's lines, and the field catalog (tables and JSON)
 * against live `sysdig -l -v` 0.29.3: every field it lists, with its type, its FILTER ONLY
 * tag and its description, except the named entries of ./deliberate-differences.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED, runCli, runSysdig, sharedSkipReason, sysdigSkipReason } from './helpers/env';
import { DIFFERENCES, Difference } from './deliberate-differences';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../src/event/generated/events';

test('list events: sysdig -L lines, byte for byte, then the newer events', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const ref = fs
    .readFileSync(path.join(SHARED, 'docs', 'sysdig-events.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const r = runCli(['list', 'events']);
  assert.equal(r.status, 0, r.stderr.toString());
  const got = r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '');
  assert.deepEqual(got.slice(0, ref.length), ref);
  const newer = EVENTS.filter(
    (e) =>
      e &&
      e.code >= PPM_EVENT_MAX_E5C53D64 &&
      !e.flags.includes('EF_UNUSED') &&
      !e.flags.includes('EF_OLD_VERSION') &&
      !e.category.includes('EC_INTERNAL'),
  );
  assert.equal(got.length, ref.length + newer.length);
  const j = JSON.parse(runCli(['list', 'events', '--json']).stdout.toString('utf8')) as unknown[];
  assert.equal(j.length, got.length);
  assert.deepEqual(j[2], {
    code: 2,
    name: 'open',
    dir: '>',
    category: 'EC_FILE',
    flags: ['EF_CREATES_FD', 'EF_MODIFIES_STATE'],
    params: [
      { name: 'name', type: 'FSPATH' },
      { name: 'flags', type: 'FLAGS32' },
      { name: 'mode', type: 'UINT32' },
    ],
  });
});

interface ListedField {
  type: string;
  desc: string;
  filterOnly: boolean;
}

/**
 * The fields of `sysdig -l -v`: a name at column 0, then "(Type: T) [(FILTER ONLY) ]desc";
 * long names stand alone on their line; wrapped text continues on lines indented by spaces.
 * Class headers and their (wrapped) descriptions are skipped.
 */
export function parseSysdigFields(text: string): Map<string, ListedField> {
  const raw = new Map<string, string>();
  let cur: string | null = null;
  for (const l of text.split('\n')) {
    if (l === '' || l.startsWith('---') || l.startsWith('Field Class:') || l.startsWith('Description:')) {
      cur = null;
    } else if (l.startsWith(' ')) {
      if (cur !== null) raw.set(cur, `${raw.get(cur)} ${l.trim()}`.trim());
    } else {
      const m = /^(\S+)\s*(.*)$/.exec(l)!;
      cur = m[1];
      raw.set(cur, m[2].trim());
    }
  }
  const out = new Map<string, ListedField>();
  for (const [name, v] of raw) {
    const m = /^\(Type: (\S+)\) (\(FILTER ONLY\) )?(.*)$/.exec(v);
    if (!m) throw new Error(`sysdig -l -v: cannot read the entry of ${name}: ${v}`);
    out.set(name, { type: m[1], filterOnly: m[2] !== undefined, desc: m[3] });
  }
  return out;
}

/** name -> type of the rows of our `list fields` tables (continuation rows have no name) */
function tableTypes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    const m = /^│ (\S+)\s+│ (\S+)\s+│/.exec(l);
    if (m && m[1] !== 'Field') out.set(m[1], m[2]);
  }
  return out;
}

function entriesOf<K extends Difference['kind']>(kind: K): Array<[string, Extract<Difference, { kind: K }>]> {
  return Object.entries(DIFFERENCES as Record<string, Difference>).filter(
    (e): e is [string, Extract<Difference, { kind: K }>] => e[1].kind === kind,
  );
}

test('list fields: sysdig -l -v fields, types, FILTER ONLY tags and descriptions', (t) => {
  const skip = sharedSkipReason() ?? sysdigSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const sd = runSysdig(['-l', '-v']);
  assert.equal(sd.status, 0, sd.stderr.toString());
  const ref = parseSysdigFields(sd.stdout.toString('utf8'));
  assert.ok(ref.size >= 250, `only ${ref.size} fields read from sysdig -l -v`);

  const r = runCli(['list', 'fields']);
  assert.equal(r.status, 0, r.stderr.toString());
  const table = r.stdout.toString('utf8');
  assert.ok(!table.includes('\x1b['), 'no colours when piped');
  const rows = tableTypes(table);
  const jr = runCli(['list', 'fields', '--json']);
  assert.equal(jr.status, 0, jr.stderr.toString());
  const json = JSON.parse(jr.stdout.toString('utf8')) as Array<{
    name: string;
    type: string;
    desc: string;
    filter_only: boolean;
  }>;
  const ours = new Map(json.map((f) => [f.name, f]));
  assert.deepEqual([...rows.keys()], [...ours.keys()], 'the tables and --json list the same fields, in order');

  const types = new Map<string, { sysdig: string; ours: string; by: string }>();
  for (const [by, d] of entriesOf('field-type'))
    for (const [f, ty] of Object.entries(d.types)) types.set(f, { ...ty, by });
  const descs = new Map<string, string>();
  for (const [by, d] of entriesOf('field-description')) for (const f of d.fields) descs.set(f, by);

  const bad: string[] = [];
  for (const [name, s] of ref) {
    const o = ours.get(name);
    if (!o) {
      bad.push(`${name}: not listed`);
      continue;
    }
    const ty = types.get(name);
    const want = ty ? ty.ours : s.type;
    if (ty && ty.sysdig !== s.type) bad.push(`${name}: ${ty.by} says sysdig's type is ${ty.sysdig}, it is ${s.type}`);
    if (o.type !== want) bad.push(`${name}: type ${o.type}, sysdig ${s.type}${ty ? ` (${ty.by}: ${ty.ours})` : ''}`);
    if (rows.get(name) !== o.type) bad.push(`${name}: the table says ${rows.get(name)}, --json ${o.type}`);
    if (o.filter_only !== s.filterOnly) bad.push(`${name}: filter-only ${o.filter_only}, sysdig ${s.filterOnly}`);
    const by = descs.get(name);
    if (by === undefined && o.desc !== s.desc)
      bad.push(`${name}: description\n    ours:   ${o.desc}\n    sysdig: ${s.desc}`);
    if (by !== undefined && o.desc === s.desc) bad.push(`${name}: ${by} lists it, but the descriptions are equal`);
  }
  for (const [name, ty] of types) {
    if (!ref.has(name)) bad.push(`${name}: ${ty.by} lists it, sysdig -l does not`);
    else if (ty.sysdig === ty.ours) bad.push(`${name}: ${ty.by} lists the same type twice`);
  }
  for (const [name, by] of descs) if (!ref.has(name)) bad.push(`${name}: ${by} lists it, sysdig -l does not`);
  t.diagnostic(
    `${ref.size} sysdig fields compared: ${types.size} types and ${descs.size} descriptions differ on purpose; ` +
      `${ours.size - ref.size} fields are ours only`,
  );
  assert.deepEqual(bad, []);
});

test("list fields: the types that follow current libs are current libs' types", (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  // name<TAB>PT_TYPE<TAB>... lines, '#' comments
  const current = new Map<string, string>();
  for (const l of fs.readFileSync(path.join(SHARED, 'docs', 'libs-fields-current.txt'), 'utf8').split('\n')) {
    if (l === '' || l.startsWith('#')) continue;
    const [name, type] = l.split('\t');
    current.set(name, type.replace(/^PT_/, ''));
  }
  for (const [by, d] of entriesOf('field-type')) {
    for (const [name, ty] of Object.entries(d.types)) assert.equal(current.get(name), ty.ours, `${by}: ${name}`);
  }
});

test('list: an unknown list is a usage error', () => {
  const bad = runCli(['list', 'chisels']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /expected 'events' or 'fields'/);
});
