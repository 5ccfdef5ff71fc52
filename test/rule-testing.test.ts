/**
 * `falco-ts test`: the spec format, the reporters (text, --json, --junit), Falco's regression
 * expectations expressed as our specs (same verdicts as rules-falco-regression.test.ts), and
 * our default ruleset's trigger / non-trigger fixtures.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, SHARED, runCli, sharedSkipReason, tmpDir } from './helpers/env';

const testing = require('../src/rule-tests') as typeof import('../src/rule-tests');
const rulesMod = require('../src/rules') as typeof import('../src/rules');

const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');
const SPECS = path.join(ROOT, 'test', 'specs');

function writeSpec(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

test('spec loader: paths, defaults, variables and errors', () => {
  const dir = tmpDir();
  const p = writeSpec(
    dir,
    's.yaml',
    `
vars: {TR: traces}
rules: [default]
options: {legacy_both_directions: true, env: {TZ: UTC}}
cases:
  - name: a
    traces: ["\${TR}/x.scap"]
    options: {overrides: [priority=warning], env: {A: b}}
    expect: {alerts: {R: 1, S: {at_least: 2}}, must_not_fire: [T]}
  - name: b
    trace: \${SHARED}/scap/y.scap
    rules: [my.yaml]
`,
  );
  const s = testing.loadSpec(p);
  assert.equal(s.cases.length, 2);
  const [a, b] = s.cases;
  assert.equal(a.traces[0], path.join(dir, 'traces', 'x.scap'));
  assert.deepEqual(a.rules, ['default']);
  assert.equal(a.options.legacy_both_directions, true);
  assert.deepEqual(a.options.env, { TZ: 'UTC', A: 'b' });
  assert.deepEqual(a.expect.alerts, { R: 1, S: { at_least: 2 } });
  assert.equal(b.traces[0], path.join(testing.sharedDir(), 'scap', 'y.scap'));
  assert.equal(b.rules[0], path.join(dir, 'my.yaml'));

  const bad = (text: string, re: RegExp) => {
    const f = writeSpec(dir, 'bad.yaml', text);
    assert.throws(() => testing.loadSpec(f), re);
  };
  bad('cases: [{traces: [a.scap]}]', /'name' is required/);
  bad('cases: [{name: x, tracez: [a]}]', /unknown key 'tracez'/);
  bad('cases: [{name: x, rules: [default], expect: {alerts: {R: -1}}}]', /expected a count/);
  bad('cases: [{name: x, rules: [default], expect: {alerts: {R: {at_lest: 1}}}}]', /unknown key 'at_lest'/);
  bad('cases: [{name: x}, {name: x}]', /duplicate case name/);
  bad('cases: [{name: x, traces: [a.scap]}]', /traces but no rules/);
  bad('cases: [{name: x, rules: [default], traces: ["${NOPE_T10}/a"]}]', /unknown variable/);
  bad('cases: [{name: x, rules: [default], expect: {output: {matches: ["("]}}}]', /bad regex/);
  bad('cases: {a: 1}', /'cases' must be a list/);
});

test('falco-ts test: pass, fail with the difference, summary, exit codes, --json, --junit', () => {
  const dir = tmpDir();
  fs.copyFileSync(DEMO, path.join(dir, 'demo.scap'));
  const spec = writeSpec(
    dir,
    'demo.yaml',
    `
rules: [default]
cases:
  - name: demo detections
    traces: [demo.scap]
    expect:
      alerts: {Write below /etc: 1, Log file cleared: {at_least: 1}}
      must_not_fire: [Kernel module loaded]
      total: {at_least: 5}
      priorities: [error]
      outputs:
        - {rule: Write below /etc, fields: {fd.name: /etc/falco-ts-demo.conf}}
        - {rule: Read of sensitive file by unexpected program, contains: cat /etc/shadow}
  - name: too strict
    traces: [demo.scap]
    expect:
      alerts: {Write below /etc: 2}
      must_not_fire: [Log file cleared]
      outputs: [{rule: Write below /etc, fields: {fd.name: /etc/other}}]
  - name: later
    skip: not yet
`,
  );
  const r = runCli(['test', spec]);
  const out = r.stdout.toString();
  assert.equal(r.status, 1, out + r.stderr.toString());
  assert.match(out, /^PASS {2}.*demo\.yaml :: demo detections/m);
  assert.match(out, /^FAIL {2}.*demo\.yaml :: too strict/m);
  assert.match(out, /'Write below \/etc': expected 2 alert\(s\), got 1/);
  assert.match(out, /'Log file cleared' must not fire, fired 1 time\(s\)/);
  assert.match(out, /with \{"fd\.name":"\/etc\/other"\}: got \{"fd\.name":"\/etc\/falco-ts-demo\.conf"\}/);
  assert.match(out, /^SKIP {2}.*later \(not yet\)/m);
  assert.match(out, /^FAILED: 3 cases, 1 passed, 1 failed, 1 skipped/m);

  const junit = path.join(dir, 'junit.xml');
  const j = runCli(['test', spec, '--json', '--junit', junit]);
  assert.equal(j.status, 1);
  const rep = JSON.parse(j.stdout.toString()) as {
    summary: { total: number };
    cases: { status: string; counts: Record<string, number> }[];
  };
  assert.deepEqual(rep.summary.total, 3);
  assert.deepEqual(
    rep.cases.map((c) => c.status),
    ['pass', 'fail', 'skip'],
  );
  assert.equal(rep.cases[0].counts['Write below /etc'], 1);
  const xml = fs.readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuites name="falco-ts test" tests="3" failures="1" errors="0" skipped="1"/);
  assert.match(
    xml,
    /<testcase classname="[^"]*demo\.yaml" name="too strict" time="[\d.]+">\s*<failure message="'Write below \/etc': expected 2/,
  );
  assert.match(xml, /<skipped message="not yet"\/>/);

  const ok = runCli(['test', spec, '--filter', 'detections']);
  assert.equal(ok.status, 0, ok.stdout.toString());
  assert.match(ok.stdout.toString(), /^OK: 1 cases, 1 passed, 0 failed/m);

  const malformed = writeSpec(dir, 'bad.yaml', 'cases: [{name: x, expect: {nope: 1}}]');
  const m = runCli(['test', malformed]);
  assert.equal(m.status, 2);
  assert.match(m.stderr.toString(), /unknown key 'nope'/);
  const missing = runCli(['test', path.join(dir, 'missing.yaml')]);
  assert.equal(missing.status, 2);
});

test('falco-ts test catches a rule change that silences or floods a detection', () => {
  const dir = tmpDir();
  fs.copyFileSync(DEMO, path.join(dir, 'demo.scap'));
  // silenced: an appended exception that matches everything
  writeSpec(
    dir,
    'silence.yaml',
    `
- rule: Write below /etc
  condition: and not proc.name exists
  override: {condition: append}
`,
  );
  // flooded: the rule now fires on every open
  writeSpec(
    dir,
    'flood.yaml',
    `
- rule: Log file cleared
  condition: or evt.type in (open, openat, openat2)
  override: {condition: append}
`,
  );
  const spec = writeSpec(
    dir,
    'spec.yaml',
    `
cases:
  - name: shipped rules
    traces: [demo.scap]
    rules: [default]
    expect: {alerts: {Write below /etc: 1, Log file cleared: 1}}
  - name: silenced
    traces: [demo.scap]
    rules: [default, silence.yaml]
    expect: {alerts: {Write below /etc: 1}}
  - name: flooded
    traces: [demo.scap]
    rules: [default, flood.yaml]
    expect: {alerts: {Log file cleared: {at_most: 1}}}
`,
  );
  const r = runCli(['test', spec, '--json']);
  assert.equal(r.status, 1);
  const { cases } = JSON.parse(r.stdout.toString()) as {
    cases: { name: string; status: string; messages: string[] }[];
  };
  assert.deepEqual(
    cases.map((c) => c.status),
    ['pass', 'fail', 'fail'],
    JSON.stringify(cases, null, 1),
  );
  assert.match(cases[1].messages[0], /'Write below \/etc': expected 1 alert\(s\), got 0/);
  assert.match(cases[2].messages[0], /'Log file cleared': expected at most 1 alert\(s\), got \d{2,}/);
});

test('falco-ts test: load expectations (validate, fatal load errors)', () => {
  const dir = tmpDir();
  writeSpec(
    dir,
    'broken.yaml',
    '- rule: x\n  desc: d\n  condition: evt.type = open and nosuchfield = 1\n  output: o\n  priority: INFO\n',
  );
  writeSpec(
    dir,
    'warn.yaml',
    '- macro: unused\n  condition: evt.type = open\n- rule: y\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n',
  );
  const spec = writeSpec(
    dir,
    'spec.yaml',
    `
cases:
  - name: broken is rejected
    validate: [broken.yaml]
    expect: {load: {ok: false, errors: [{code: LOAD_ERR_COMPILE_CONDITION, item_type: rule, item_name: x, message_contains: nosuchfield}]}}
  - name: running with it fails to start
    rules: [broken.yaml]
    expect: {load: {error_matches: ["^Error: rules could not be loaded"]}}
  - name: warning
    validate: [warn.yaml]
    expect: {load: {valid: [warn.yaml], warnings: [{code: LOAD_UNUSED_MACRO, item_name: unused}], exact_warnings: true, event_types: {y: [open]}}}
  - name: wrong expectation
    validate: [warn.yaml]
    expect: {load: {event_types: {y: [execve]}}}
`,
  );
  const r = runCli(['test', spec, '--json']);
  const { cases } = JSON.parse(r.stdout.toString()) as {
    cases: { name: string; status: string; messages: string[] }[];
  };
  assert.deepEqual(
    cases.map((c) => c.status),
    ['pass', 'pass', 'pass', 'fail'],
    JSON.stringify(cases, null, 1),
  );
  assert.match(cases[3].messages[0], /event types of 'y': expected \[execve\]/);
});

test("falco-ts test: counts by priority and of load errors and warnings (as Falco's tests assert)", () => {
  const dir = tmpDir();
  fs.copyFileSync(DEMO, path.join(dir, 'demo.scap'));
  writeSpec(dir, 'warn.yaml', '- macro: unused\n  condition: evt.type = open\n');
  const spec = writeSpec(
    dir,
    'counts.yaml',
    `
cases:
  - name: priorities hold
    rules: [default]
    traces: [demo.scap]
    expect: {priority_counts: {ERROR: {at_least: 1}, emergency: 0}}
  - name: priorities differ
    rules: [default]
    traces: [demo.scap]
    expect: {priority_counts: {emergency: {at_least: 1}}}
  - name: load counts hold
    validate: [warn.yaml]
    expect: {load: {error_count: 0, warning_count: 1}}
  - name: load counts differ
    validate: [warn.yaml]
    expect: {load: {warning_count: 2}}
`,
  );
  const r = runCli(['test', spec, '--json']);
  const { cases } = JSON.parse(r.stdout.toString()) as { cases: { status: string; messages: string[] }[] };
  assert.deepEqual(
    cases.map((c) => c.status),
    ['pass', 'fail', 'pass', 'fail'],
    JSON.stringify(cases, null, 1),
  );
  assert.deepEqual(cases[1].messages, ['priority emergency: expected at least 1 alert(s), got 0']);
  assert.match(cases[3].messages[0], /^expected 2 load warning\(s\), got 1: LOAD_UNUSED_MACRO macro 'unused'/);
});

// ---------------------------------------------------------------------------------------------
// Falco's regression expectations as our specs

const SKIP = sharedSkipReason();

// test/generated-files.test.ts checks that the specs are scripts/gen-falco-specs.mjs's current output.

test(
  'Falco regression specs run through falco-ts test with the verdicts of rules-falco-regression.test.ts',
  { skip: SKIP ?? undefined },
  () => {
    const r = runCli(['test', path.join(SPECS, 'falco'), '--json']);
    const rep = JSON.parse(r.stdout.toString()) as {
      summary: { total: number };
      cases: { name: string; status: string; messages: string[] }[];
    };
    const bad = rep.cases.filter((c) => c.status === 'fail' || c.status === 'error');
    assert.deepEqual(
      bad.map((c) => `${c.name}: ${c.messages.join('; ')}`),
      [],
    );
    assert.equal(r.status, 0);
    const expectations = JSON.parse(
      fs.readFileSync(path.join(SHARED, 'falco-tests', 'falco-test-expectations.json'), 'utf8'),
    ) as { test: string }[];
    assert.deepEqual(rep.cases.map((c) => c.name).sort(), expectations.map((t) => t.test).sort());

    // the regression suite's own verdicts, per test
    const tap = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=tap', path.join(ROOT, 'dist', 'test', 'rules-falco-regression.test.js')],
      {
        // without NODE_TEST_CONTEXT (set for us by the runner), the child prints plain TAP
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT')),
          TZ: 'UTC',
        },
        maxBuffer: 1 << 28,
      },
    );
    const verdict = new Map<string, string>();
    for (const m of tap.stdout.toString().matchAll(/^(ok|not ok) \d+ - falco regression: (\S+)( # SKIP)?/gm)) {
      if (m[2] === 'summary') continue;
      verdict.set(m[2], m[3] ? 'skip' : m[1] === 'ok' ? 'pass' : 'fail');
    }
    assert.equal(verdict.size, expectations.length, 'regression verdicts parsed');
    const diff = rep.cases
      .filter((c) => verdict.get(c.name) !== c.status)
      .map((c) => `${c.name}: spec ${c.status}, regression ${verdict.get(c.name)}`);
    assert.deepEqual(diff, []);
    const n = (s: string) => rep.cases.filter((c) => c.status === s).length;
    process.stdout.write(`# Falco specs: ${n('pass')} passed, ${n('skip')} skipped of ${rep.summary.total}\n`);
  },
);

// ---------------------------------------------------------------------------------------------
// Our default ruleset: trigger and non-trigger traces

test('default ruleset: every rule has a trigger and a non-trigger case, and they pass', () => {
  const spec = path.join(SPECS, 'default-rules.yaml');
  const s = testing.loadSpec(spec);
  const session = rulesMod.RulesSession.load({ rules: ['default'] });
  const names = session.loader.ruleset.rules.map((r) => r.name);
  const fires = new Set<string>();
  const guarded = new Set<string>();
  for (const c of s.cases) {
    if (c.skip !== undefined) {
      // a skipped case names its rule in its description
      for (const n of names) if (c.description?.includes(n)) (c.name.startsWith('t-') ? fires : guarded).add(n);
      continue;
    }
    if (c.name.startsWith('t-'))
      for (const [rule, want] of Object.entries(c.expect.alerts ?? {})) if (want !== 0) fires.add(rule);
    for (const rule of c.expect.must_not_fire ?? []) guarded.add(rule);
    for (const t of c.traces) assert.ok(fs.statSync(t).size < 200_000, `${t} is small`);
  }
  assert.deepEqual(
    names.filter((n) => !fires.has(n)),
    [],
    'rules without a trigger case',
  );
  assert.deepEqual(
    names.filter((n) => !guarded.has(n)),
    [],
    'rules without a non-trigger case',
  );
  const r = runCli(['test', spec]);
  assert.equal(r.status, 0, r.stdout.toString() + r.stderr.toString());
  assert.match(r.stdout.toString(), /^OK: \d+ cases/m);
});
