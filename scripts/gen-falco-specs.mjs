#!/usr/bin/env node
// Expresses Falco's regression expectations (../shared/falco-tests/falco-test-expectations.json)
// as falco-ts rule-test specs, one file per Falco suite, in test/specs/falco/. The rules,
// confs and traces they name are used in place under ${SHARED} (never copied). Tests we do
// not run get `skip:` with the same reason test/rules-falco-regression.test.ts gives.
// It also rewrites README.md's list of the tests that do not run and of our deliberate
// differences (scripts/falco-skipped.mjs, scripts/falco-deliberate-differences.yaml).
// Usage: node scripts/gen-falco-specs.mjs [--check]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { addDetectExpectations } from './falco-detect.mjs';
import { renderSkipped, replaceSection } from './falco-skipped.mjs';
import { GenError, outputs, readInput, readJson, ROOT, run, SHARED } from './gen-output.mjs';
const require = createRequire(import.meta.url);
const YAML = require('yaml');

const NAME = 'scripts/gen-falco-specs.mjs';
const SPECS = 'test/specs/falco';
const TESTS_DIR = path.join(SHARED, 'falco-tests', 'files', 'test');
const S_TESTS = '${SHARED}/falco-tests/files/test';

// Rules we index on narrower event types than Falco expected, each with its set (one home:
// scripts/falco-deliberate-differences.yaml; the regression test reads it too)
const DIFFERENCES = YAML.parse(
  fs.readFileSync(path.join(ROOT, 'scripts', 'falco-deliberate-differences.yaml'), 'utf8'),
);
// Falco's rewordings and renamed codes since these tests (0.35): old → current
const REWORDED = DIFFERENCES.reworded;
const RENAMED_CODES = DIFFERENCES.renamed_codes;
const NARROWER = new Map(DIFFERENCES.event_types.map((d) => [`${d.test}\0${d.rule}`, d.ours]));
const JSON_AS_OBJECTS = new Set(DIFFERENCES.json_as_objects.map((d) => d.test));

const list = (v) => (v === undefined ? [] : [].concat(v));

function traceOf(t) {
  const m = /^trace_files\/(.*)\.scap$/.exec(t.trace_file);
  if (!m) return null;
  const name = 'falco_' + m[1].replace(/\//g, '_') + '.scap';
  return fs.existsSync(path.join(SHARED, 'scap', name)) ? '${SHARED}/scap/' + name : null;
}

function missingInputs(t) {
  const names = [
    ...list(t.rules_file),
    ...list(t.validate_rules_file),
    ...(t.conf_file ? [t.conf_file] : []),
    ...list(t.output_strictly_contains).flatMap((o) => Object.values(o)),
  ];
  return names.filter((n) => {
    const p = path.join(TESTS_DIR, n);
    return !fs.existsSync(p) || (/_dir$/.test(n) && !fs.statSync(p).isDirectory());
  });
}

function skipReason(t) {
  // features Falco itself has since removed: its 0.44 falco.yaml has no grpc keys, and no --psp
  if (t.grpc) return 'gRPC output: removed from Falco (0.44 has no gRPC output or server)';
  if (t.psp_file) return 'PSP-to-rules conversion: removed from Falco';
  if (traceOf(t) === null && (t.detect !== undefined || t.detect_counts))
    return `trace ${t.trace_file} is not available`;
  const missing = missingInputs(t);
  if (missing.length > 0) return `input not in ../shared/falco-tests: ${missing.join(', ')}`;
  return null;
}

function msg(m, withType) {
  const o = { code: RENAMED_CODES[m.code] ? [m.code, RENAMED_CODES[m.code]] : m.code };
  if (withType && m.item_type) o.item_type = m.item_type;
  if (m.item_name !== undefined) o.item_name = m.item_name;
  if (m.message_contains) {
    // an integer engine version N now reads as 0.N.0
    const cur = m.message_contains.replace(/engine version (\d+),/, 'engine version 0.$1.0,');
    o.message_contains = cur === m.message_contains ? m.message_contains : [m.message_contains, cur];
  } else {
    const exact = m.message ?? '';
    o.message = REWORDED[exact] ? [exact, REWORDED[exact]] : exact;
  }
  return o;
}

function toCase(t) {
  const c = { name: t.test };
  const why = skipReason(t);
  if (why) c.skip = why;
  const load = {};
  if (t.validate_rules_file !== undefined || t.rules_events) {
    c.validate = list(t.validate_rules_file).map((f) => `${S_TESTS}/${f}`);
    if (t.validate_ok) load.valid = t.validate_ok;
    if (t.validate_errors?.length) load.errors = t.validate_errors.map((e) => msg(e, true));
    else if (t.exit_status !== 1) load.no_errors = true;
    // (alongside an error, Falco's warnings are checked as present; without one, exactly)
    if (t.validate_warnings?.length) {
      load.warnings = t.validate_warnings.map((w) => msg(w, true));
      if (!t.validate_errors?.length) load.exact_warnings = true;
    }
    if (t.rules_events) {
      load.event_types = {};
      for (const re of t.rules_events)
        for (const [n, ev] of Object.entries(re))
          load.event_types[n] = [...(NARROWER.get(`${t.test}\0${n}`) ?? ev)].sort();
    }
  }
  const detect = t.rules_file !== undefined || t.detect !== undefined;
  const runs = detect && !(t.validate_rules_file !== undefined && t.rules_file === undefined);
  const expect = {};
  if (runs) {
    c.rules = list(t.rules_file).map((f) => `${S_TESTS}/${f}`);
    const tr = traceOf(t);
    if (tr) c.traces = [tr];
    const options = { legacy_both_directions: true };
    const ov = [];
    if (t.priority) ov.push(`priority=${t.priority}`);
    if (t.time_iso_8601) ov.push('time_format_iso_8601=true');
    if (t.json_include_output_property === false) ov.push('json_include_output_property=false');
    if (t.json_include_tags_property === false) ov.push('json_include_tags_property=false');
    if (ov.length) options.overrides = ov;
    if (t.json_output === true) options.json = true;
    if (t.disabled_rules) options.disable_rules = t.disabled_rules;
    if (t.run_tags) options.tags = t.run_tags;
    if (t.disable_tags) options.disable_tags = t.disable_tags;
    if (t.conf_file) options.config = `${S_TESTS}/${t.conf_file}`;
    options.env = { TZ: 'UTC', FALCO_HOSTNAME: 'test-falco-hostname' };
    c.options = options;
    if (t.conf_file) {
      // with a config, Falco's log and its exit status are checked (a rejected config, the drop exit action)
      if (t.exit_status !== undefined) expect.exit = t.exit_status === 0 ? 'success' : 'failure';
      const err = {};
      if (list(t.stderr_contains).length) err.matches = list(t.stderr_contains);
      if (list(t.stderr_not_contains).length) err.not_matches = list(t.stderr_not_contains);
      if (Object.keys(err).length) expect.stderr = err;
    } else if (t.exit_status === 1 && t.stderr_contains) load.error_matches = list(t.stderr_contains);
    addDetectExpectations(t, expect);
    const every = [],
      matches = [];
    for (const s of list(t.stdout_contains)) (s.startsWith('^(?!') ? every : matches).push(s);
    const out = {};
    if (matches.length) out.matches = matches;
    if (list(t.stdout_not_contains).length) out.not_matches = list(t.stdout_not_contains);
    if (every.length) out.every_line_matches = every;
    // Falco's 'stdout', or a file its file/program output wrote
    for (const o of list(t.output_strictly_contains))
      for (const [where, want] of Object.entries(o)) {
        if (where === 'stdout') out.equals_file = `${S_TESTS}/${want}`;
        else out.files = { ...out.files, [where]: `${S_TESTS}/${want}` };
      }
    if (JSON_AS_OBJECTS.has(t.test)) out.json_as_objects = true;
    if (Object.keys(out).length) expect.output = out;
  }
  if (Object.keys(load).length) expect.load = load;
  if (Object.keys(expect).length) c.expect = expect;
  return c;
}

run(NAME, () => {
  const all = readJson(
    path.join(SHARED, 'falco-tests', 'falco-test-expectations.json'),
    "Falco's regression expectations",
  );
  const bySuite = new Map();
  for (const t of all) {
    const s = path.basename(t.suite, '.yaml');
    if (!bySuite.has(s)) bySuite.set(s, []);
    bySuite.get(s).push(t);
  }
  const out = outputs(NAME);
  out.ownDir(SPECS, '.yaml');
  for (const [suite, tests] of bySuite) {
    const doc = {
      name: `Falco regression suite ${tests[0].suite} (${tests[0].source})`,
      cases: tests.map(toCase),
    };
    const head =
      `# GENERATED by ${NAME} from \${SHARED}/falco-tests/falco-test-expectations.json\n` +
      `# (suite ${tests[0].suite}); do not edit. Rules, confs and traces are used in place under \${SHARED}.\n`;
    out.file(`${SPECS}/${suite}.yaml`, head + YAML.stringify(doc, { lineWidth: 0 }));
  }
  const skipped = all.map((t) => ({ test: t.test, reason: skipReason(t) })).filter((x) => x.reason !== null);
  const readme = readInput(path.join(ROOT, 'README.md'), 'the README', 'utf8');
  try {
    out.file('README.md', replaceSection(readme, renderSkipped(skipped, all.length, DIFFERENCES)));
  } catch (e) {
    throw new GenError(`README.md: ${e.message}`);
  }
  out.done();
});
