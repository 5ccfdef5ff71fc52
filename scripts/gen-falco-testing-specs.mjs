#!/usr/bin/env node
// Expresses current Falco's regression tests (falcosecurity/testing, tests/falco/legacy_test.go),
// as recorded in scripts/falco-testing-facts.yaml, as falco-ts rule-test specs in
// test/specs/falco-testing/. Inputs are used in place under ${SHARED}. A test whose inputs are
// not there is skipped with the facts' reason; an assertion no spec key can express must be
// acknowledged in the test's `not_checked` (else this generator fails), so nothing is dropped
// silently. test/rules-falco-testing.test.ts runs the specs and checks the known failures.
// Usage: node scripts/gen-falco-testing-specs.mjs [--check]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { GenError, outputs, readInput, ROOT, run } from './gen-output.mjs';
const require = createRequire(import.meta.url);
const YAML = require('yaml');

const NAME = 'scripts/gen-falco-testing-specs.mjs';
const FACTS = 'scripts/falco-testing-facts.yaml';
const SPECS = 'test/specs/falco-testing';
// where outputs the tests read back are written (Falco's harness uses a fresh work directory)
const WORKDIR = '/tmp/falco-ts-falco-testing';

const count = (v) => (v === 'nonzero' ? { at_least: 1 } : v);

/** One test's facts as a spec case; `unexpressed` collects the assertions no spec key holds. */
function toCase(t, unexpressed) {
  const c = { name: t.test };
  if (t.unavailable) c.skip = `input not available: ${t.unavailable}`;
  const e = t.expect ?? {};
  const runs = t.rules !== undefined;
  if (t.validate) c.validate = t.validate;
  if (runs) c.rules = t.rules;
  if (t.trace) c.traces = [t.trace];
  // these captures predate exit-only events; current Falco still judges their enter events:
  // the counts its tests assert (e.g. 8 open_from_cat alerts on cat_write.scap) are those of both
  const o = { legacy_both_directions: true, env: { TZ: 'UTC', ...t.env } };
  const ov = [...(t.o ?? [])];
  if (t.min_priority) ov.push(`priority=${t.min_priority}`);
  if (t.all_events) ov.push('base_syscalls.all=true');
  if (t.json_output) o.json = true;
  // the harness's WithEnabledTags is `-o rules[].disable.rule=* -o rules[].enable.tag=T`: Falco's -t T
  if (t.enabled_tags) o.tags = t.enabled_tags;
  if (t.disabled_tags) o.disable_tags = t.disabled_tags;
  if (t.disabled_rules) o.disable_rules = t.disabled_rules;
  if (t.config) o.config = t.config;
  const x = {};
  const load = {};
  const out = {};
  if (e.rules) x.alerts = Object.fromEntries(Object.entries(e.rules).map(([r, n]) => [r, count(n)]));
  if (e.total !== undefined) x.total = count(e.total);
  if (e.priorities) x.priority_counts = Object.fromEntries(Object.entries(e.priorities).map(([p, n]) => [p, count(n)]));
  if (e.errors) load.errors = e.errors;
  if (e.warnings) load.warnings = e.warnings;
  if (e.error_count !== undefined) load.error_count = e.error_count;
  if (e.warning_count !== undefined) load.warning_count = e.warning_count;
  if (e.validation_successful) load.valid = e.validation_successful.map((i) => path.basename(t.validate[i]));
  if (e.exit_code !== undefined) {
    if (t.config !== undefined) x.exit = e.exit_code === 0 ? 'success' : 'failure';
    // without a config, a run that must not fail fails the case anyway (a load error is an error)
    else if (e.exit_code !== 0) load.ok = false;
  }
  if (e.stderr_matches || e.stderr_not_matches) {
    if (t.config !== undefined) {
      x.stderr = {};
      if (e.stderr_matches) x.stderr.matches = e.stderr_matches;
      if (e.stderr_not_matches) x.stderr.not_matches = e.stderr_not_matches;
    } else unexpressed.push('stderr');
  }
  if (e.stdout_matches) out.matches = e.stdout_matches;
  if (e.stdout_not_matches) out.not_matches = e.stdout_not_matches;
  if (e.stdout_json_lines_equal) {
    // Falco's test: require.JSONEq line by line
    out.equals_file = e.stdout_json_lines_equal;
    out.json_as_objects = true;
  }
  if (e.stdout_contains_lines_of) {
    const prog = ov.findIndex((s) => s.startsWith('program_output.program='));
    if (prog >= 0) {
      // the program's stdout is Falco's stdout there; here it goes to a file the case reads back
      const file = `${WORKDIR}/program_output.txt`;
      ov[prog] = `${ov[prog]} > ${file}`;
      out.files = { [file]: e.stdout_contains_lines_of };
    } else out.equals_file = e.stdout_contains_lines_of;
  }
  if (e.file_equals) out.files = { ...out.files, ...e.file_equals };
  if (ov.length) o.overrides = ov;
  c.options = o;
  if (Object.keys(out).length) x.output = out;
  if (Object.keys(load).length) x.load = load;
  if (Object.keys(x).length) c.expect = x;
  const known = new Set([
    'rules',
    'total',
    'priorities',
    'errors',
    'warnings',
    'error_count',
    'warning_count',
    'validation_successful',
    'exit_code',
    'stderr_matches',
    'stderr_not_matches',
    'stdout_matches',
    'stdout_not_matches',
    'stdout_json_lines_equal',
    'stdout_contains_lines_of',
    'file_equals',
  ]);
  for (const k of Object.keys(e)) if (!known.has(k)) unexpressed.push(k);
  return c;
}

const BEGIN = `<!-- falco-testing: generated by ${NAME}; do not edit -->`;
const END = '<!-- /falco-testing -->';

/** README's account of the tests, from the facts (test/rules-falco-testing.test.ts holds the run to them). */
function readmeSection(doc) {
  const all = doc.tests;
  const unavailable = all.filter((t) => t.unavailable);
  const failing = all.filter((t) => !t.unavailable && t.known_failure);
  const partial = all.filter((t) => !t.unavailable && t.not_checked);
  const pass = all.length - unavailable.length - failing.length;
  const cell = (s) => s.replace(/\|/g, '\\|');
  const lines = [
    BEGIN,
    `Of the ${all.length} tests of ${doc.source.repo}'s \`${doc.source.file}\` (${doc.source.commit.slice(0, 12)}), ` +
      `${all.length - unavailable.length} run and ${pass} pass; ${failing.length} fail as recorded; ` +
      `${unavailable.length} lack an input in ../shared.`,
    '',
  ];
  const grouped = (ts, why) => {
    const m = new Map();
    for (const t of ts) m.set(why(t), [...(m.get(why(t)) ?? []), t.test]);
    return m;
  };
  const names = (ts) => ts.map((x) => `\`${x}\``).join(', ');
  if (failing.length) {
    lines.push('| failing tests | why |', '|---|---|');
    for (const [why, ts] of grouped(failing, (t) => t.known_failure.reason))
      lines.push(`| ${names(ts)} | ${cell(why)} |`);
    lines.push('');
  }
  if (partial.length) {
    lines.push('| passing test | not checked |', '|---|---|');
    for (const t of partial)
      lines.push(
        `| \`${t.test}\` | ${cell(
          Object.entries(t.not_checked)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; '),
        )} |`,
      );
    lines.push('');
  }
  lines.push('| missing input | tests |', '|---|---|');
  for (const [why, ts] of grouped(unavailable, (t) => t.unavailable))
    lines.push(`| ${cell(why)} | ${ts.length > 3 ? `${ts.length} tests` : names(ts)} |`);
  const changed = all.filter((t) => t.vs_2022);
  if (changed.length) {
    lines.push('', 'Where current Falco expects otherwise than the 2022 suite (current Falco is followed):', '');
    for (const t of changed) lines.push(`- \`${t.test}\`: ${t.vs_2022}`);
  }
  lines.push(END);
  return lines.join('\n');
}

run(NAME, () => {
  const out = outputs(NAME);
  const doc = YAML.parse(readInput(path.join(ROOT, FACTS), 'the falcosecurity/testing facts', 'utf8'));
  const cases = [];
  for (const t of doc.tests) {
    const unexpressed = [];
    const c = toCase(t, unexpressed);
    const acknowledged = Object.keys(t.not_checked ?? {}).sort();
    if (JSON.stringify(unexpressed.sort()) !== JSON.stringify(acknowledged))
      throw new GenError(
        `${FACTS}: test ${t.test}: assertions the specs cannot express [${unexpressed.join(', ')}] ` +
          `must be exactly its not_checked keys [${acknowledged.join(', ')}]`,
      );
    if (acknowledged.length)
      c.description = 'not checked: ' + acknowledged.map((k) => `${k} (${t.not_checked[k]})`).join('; ');
    cases.push(c);
  }
  const spec = { name: `falcosecurity/testing ${doc.source.file} at ${doc.source.commit}`, cases };
  const head =
    `# GENERATED by ${NAME} from ${FACTS}; do not edit.\n` +
    `# Rules, configs and traces are used in place under \${SHARED}.\n`;
  out.ownDir(SPECS, '.yaml');
  out.file(`${SPECS}/legacy.yaml`, head + YAML.stringify(spec, { lineWidth: 0 }));
  const readme = readInput(path.join(ROOT, 'README.md'), 'the README', 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new GenError(`README.md has no ${BEGIN} ... ${END} section`);
  out.file('README.md', readme.slice(0, a) + readmeSection(doc) + readme.slice(b + END.length));
  out.done();
});
