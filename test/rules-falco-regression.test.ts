/**
 * Falco's own regression tests (../shared/falco-tests/falco-test-expectations.json): every
 * test whose trace we have and whose feature we support runs here with its rules files,
 * options (priority, -t/-T/-D, json, time format) and expected detection counts or load
 * errors/warnings. Traces are judged in legacy both-directions mode, as Falco then did.
 * Unsupported tests are listed with their reason (the generated specs' skip reasons) and
 * counted. Messages, event types and printed or written alerts compare exactly; the only
 * differences allowed are those listed, each with its reason, in
 * scripts/falco-deliberate-differences.yaml.
 */
process.env.TZ = 'UTC';
process.env.FALCO_HOSTNAME = 'test-falco-hostname';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ROOT, SHARED, runCliAsync, sharedSkipReason } from './helpers/env';
import { type Msg, sameCode, sameMsg } from './helpers/falco-expectations';

const rules = require('../src/rules') as typeof import('../src/rules');
const run = require('../src/pipeline/run') as typeof import('../src/pipeline/run');
const { fieldRegistry } = require('../src/filter/fields/registry') as typeof import('../src/filter/fields/registry');
const { EVENTS } = require('../src/event/generated/events') as typeof import('../src/event/generated/events');
const runner = require('../src/rule-tests/runner') as typeof import('../src/rule-tests/runner');
const render = require('../src/alert/render') as typeof import('../src/alert/render');

interface Expect {
  test: string;
  trace_file: string;
  detect?: boolean;
  detect_level?: string | string[];
  rules_file?: string[];
  detect_counts?: Record<string, number>[];
  validate_rules_file?: string | string[];
  validate_errors?: Msg[];
  validate_warnings?: Msg[];
  validate_ok?: string[];
  exit_status?: number;
  conf_file?: string;
  priority?: string;
  disabled_rules?: string[];
  run_tags?: string[];
  disable_tags?: string[];
  json_output?: boolean;
  time_iso_8601?: boolean;
  json_include_output_property?: boolean;
  json_include_tags_property?: boolean;
  stdout_contains?: string | string[];
  stderr_contains?: string | string[];
  stdout_not_contains?: string | string[];
  stderr_not_contains?: string | string[];
  output_strictly_contains?: Record<string, string>[];
  psp_file?: string;
  grpc?: unknown;
  rules_events?: Record<string, string[]>[];
  rules_warning?: string[];
  all_events?: boolean;
}

const SKIP = sharedSkipReason();
const TESTS_DIR = path.join(SHARED, 'falco-tests', 'files', 'test');

/** Our deliberate differences from Falco's expectations (one home; the generator reads it too). */
interface EventTypesDifference {
  test: string;
  rule: string;
  condition: string;
  falco: string[];
  ours: string[];
}
interface Differences {
  event_types: EventTypesDifference[];
  /** tests whose JSON alert lines compare as objects (key order and spacing aside) */
  json_as_objects: { test: string; falco: string; ours: string }[];
  /** tests whose run exits with another status than Falco's */
  exit_status: { test: string; falco: number; ours: number }[];
  /** tests without a configuration whose stderr (Falco's startup log) is not checked */
  stderr_not_checked: { test: string; falco: string }[];
}
const DIFFERENCES = YAML.parse(
  fs.readFileSync(path.join(ROOT, 'scripts', 'falco-deliberate-differences.yaml'), 'utf8'),
) as Differences;
const jsonAsObjects = (t: Expect): boolean =>
  t.json_output === true && DIFFERENCES.json_as_objects.some((d) => d.test === t.test);

/** Falco's output_strictly_contains: the printed (stdout) or written alerts equal the expected file. */
function checkStrictOutput(t: Expect, where: string, lines: string[], expectedFile: string): void {
  const d = runner.firstDifference(runner.fileLines(findFile(expectedFile)), lines, jsonAsObjects(t));
  assert.equal(d, null, `${where} differs from ${expectedFile}: ${JSON.stringify(d)}`);
}

function findFile(rel: string): string {
  const p = path.join(TESTS_DIR, rel);
  if (fs.existsSync(p)) return p;
  throw new Error(`missing test file ${rel}`);
}

function traceOf(t: Expect): string | null {
  const m = /^trace_files\/(.*)\.scap$/.exec(t.trace_file);
  if (!m) return null;
  const p = path.join(SHARED, 'scap', 'falco_' + m[1].replace(/\//g, '_') + '.scap');
  return fs.existsSync(p) ? p : null;
}

/**
 * Why a test is not run, or null: the skip reasons scripts/gen-falco-specs.mjs wrote into the
 * committed specs (test/specs/falco; rule-testing.test.ts checks they are current), so the
 * reasons live in one place.
 */
const SPEC_SKIPS = new Map<string, string>();
for (const f of fs.existsSync(path.join(ROOT, 'test', 'specs', 'falco'))
  ? fs.readdirSync(path.join(ROOT, 'test', 'specs', 'falco'))
  : []) {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'test', 'specs', 'falco', f), 'utf8')) as {
    cases?: { name: string; skip?: string }[];
  };
  for (const c of doc.cases ?? []) if (typeof c.skip === 'string') SPEC_SKIPS.set(c.name, c.skip);
}
function skipReason(t: Expect): string | null {
  return SPEC_SKIPS.get(t.test) ?? null;
}

function checkValidate(t: Expect): void {
  const files = ([] as string[]).concat(t.validate_rules_file ?? []);
  const loader = new rules.RulesLoader({ registry: fieldRegistry });
  const results = files.map((f) => loader.loadPath(findFile(f))[0]);
  for (const ok of t.validate_ok ?? []) {
    const r = results.find((x) => x.name.endsWith(ok));
    assert.ok(r && r.ok, `${ok} should be valid: ${r ? rules.formatResult(r) : 'not loaded'}`);
  }
  const errs = results.flatMap((r) => r.errors);
  for (const e of t.validate_errors ?? []) {
    const hit = errs.find(
      (g) =>
        sameCode(g.code, e.code) &&
        sameMsg(g, e) &&
        g.ctx.item().type === e.item_type &&
        g.ctx.item().item === e.item_name,
    );
    assert.ok(
      hit,
      `expected error ${JSON.stringify(e)}; got ${JSON.stringify(errs.map((g) => [g.code, g.message, g.ctx.item().type, g.ctx.item().item]))}`,
    );
  }
  if ((t.validate_errors ?? []).length === 0 && t.exit_status !== 1) {
    assert.deepEqual(
      errs.map((e) => e.message),
      [],
      'no errors expected',
    );
  }
  const warns = results.flatMap((r) => r.warnings);
  for (const w of t.validate_warnings ?? []) {
    const hit = warns.find(
      (g) =>
        sameCode(g.code, w.code) &&
        sameMsg(g, w) &&
        g.ctx.item().type === w.item_type &&
        g.ctx.item().item === w.item_name,
    );
    assert.ok(
      hit,
      `expected warning ${JSON.stringify(w)}; got ${JSON.stringify(warns.map((g) => [g.code, g.message, g.ctx.item().type, g.ctx.item().item]))}`,
    );
  }
  if ((t.validate_warnings ?? []).length > 0 && (t.validate_errors ?? []).length === 0) {
    // exactly the expected rules get each expected warning code
    for (const code of new Set(t.validate_warnings!.map((w) => w.code))) {
      const want = t
        .validate_warnings!.filter((w) => w.code === code)
        .map((w) => w.item_name)
        .sort();
      const got = warns
        .filter((g) => sameCode(g.code, code))
        .map((g) => g.ctx.item().item)
        .sort();
      assert.deepEqual(got, want, `rules with ${code}`);
    }
  }
  if (t.rules_events) {
    const byName = new Map(loader.ruleset.rules.map((r) => [r.name, r]));
    for (const re of t.rules_events) {
      for (const [name, evts] of Object.entries(re)) {
        const r = byName.get(name);
        assert.ok(r, `rule ${name} loaded`);
        const et = r.eventTypes;
        const got =
          et === null || et.size > 100
            ? ['all']
            : [...new Set([...et].map((c) => EVENTS[c]?.name ?? String(c)))].sort();
        const listed = DIFFERENCES.event_types.find((d) => d.test === t.test && d.rule === name);
        if (listed) {
          // a listed difference is against this expectation, and narrower than it
          assert.deepEqual([...listed.falco].sort(), [...evts].sort(), `falco-deliberate-differences.yaml: ${name}`);
          assert.ok(
            evts.includes('all') || listed.ours.every((e) => evts.includes(e)),
            `falco-deliberate-differences.yaml: ${name} is not narrower than Falco's [${evts.join(',')}]`,
          );
        }
        const want = [...(listed?.ours ?? evts)].sort();
        assert.deepEqual(got, want, `event types of ${name}${listed ? ' (a listed deliberate difference)' : ''}`);
      }
    }
  }
}

async function checkDetect(t: Expect): Promise<void> {
  const overrides: string[] = [];
  if (t.priority) overrides.push(`priority=${t.priority}`);
  if (t.time_iso_8601) overrides.push('time_format_iso_8601=true');
  if (t.json_include_output_property === false) overrides.push('json_include_output_property=false');
  if (t.json_include_tags_property === false) overrides.push('json_include_tags_property=false');
  const opts = {
    rules: (t.rules_file ?? []).map(findFile),
    overrides,
    json: t.json_output === true,
    bothDirections: true,
    disablePatterns: t.disabled_rules,
    runTags: t.run_tags,
    disableTags: t.disable_tags,
  };
  let session;
  try {
    session = rules.RulesSession.load(opts);
  } catch (e) {
    if (t.exit_status === 1 && t.stderr_contains) {
      // Falco prefixes its fatal errors with "Error: " on stderr
      for (const s of ([] as string[]).concat(t.stderr_contains))
        assert.match('Error: ' + (e as Error).message, new RegExp(s));
      return;
    }
    throw e;
  }
  assert.notEqual(t.exit_status, 1, 'expected a failure');
  if ((t.stderr_contains ?? t.stderr_not_contains) !== undefined)
    assert.ok(
      DIFFERENCES.stderr_not_checked.some((d) => d.test === t.test),
      'stderr expectations of a run without a configuration: not checked, and not listed in falco-deliberate-differences.yaml',
    );
  const lines: string[] = [];
  const counts = new Map<string, number>();
  const levels = new Set<string>();
  await run.runSessionOnTraces(session, [traceOf(t)!], (a) => {
    lines.push(render.alertLine(a, session.config.jsonOutput));
    counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
    levels.add(rules.PRIORITY_NAMES[a.priority].toUpperCase().replace('INFORMATIONAL', 'INFO'));
  });
  if (t.detect === false) assert.equal(lines.length, 0, `no detections expected, got ${lines.slice(0, 3).join('\n')}`);
  if (t.detect === true) {
    assert.ok(lines.length > 0, 'detections expected');
    // Falco's harness wants a count for each level in its summary
    const want = ([] as string[]).concat(t.detect_level ?? []);
    assert.ok(
      want.every((l) => levels.has(l)),
      `detect levels ${want.join(',')} (got ${[...levels].join(',')})`,
    );
  }
  for (const dc of t.detect_counts ?? []) {
    for (const [name, n] of Object.entries(dc)) assert.equal(counts.get(name) ?? 0, n, `count of ${name}`);
  }
  const out = lines.join('\n');
  for (const s of ([] as string[]).concat(t.stdout_contains ?? [])) {
    if (s.startsWith('^(?!')) for (const l of lines) assert.match(l, new RegExp(s), 'stdout line');
    else assert.match(out, new RegExp(s, 'm'));
  }
  for (const o of t.output_strictly_contains ?? [])
    for (const [where, want] of Object.entries(o)) {
      assert.equal(where, 'stdout', 'an output file needs a configuration');
      checkStrictOutput(t, where, lines, want);
    }
}

/**
 * Tests with a Falco configuration file (-c: drop monitoring, the outputs) run through the CLI,
 * checked on its exit status (Falco's, or the listed one: 2 for a configuration it rejects),
 * stderr, stdout, detections, and the files its outputs write.
 */
async function checkWithConfig(t: Expect): Promise<void> {
  // as Falco's harness: the files its outputs are to write start absent, in a directory that exists
  const written = (t.output_strictly_contains ?? []).flatMap((o) => Object.keys(o)).filter((w) => w !== 'stdout');
  for (const f of written) {
    fs.rmSync(f, { force: true });
    fs.mkdirSync(path.dirname(f), { recursive: true });
  }
  const args = [
    'replay',
    traceOf(t)!,
    ...(t.rules_file ?? []).flatMap((r) => ['-r', findFile(r)]),
    '-c',
    findFile(t.conf_file!),
    '--legacy-both-directions',
    ...(t.time_iso_8601 ? ['-o', 'time_format_iso_8601=true'] : []),
    ...(t.json_output ? ['-o', 'json_output=true'] : []),
  ];
  const r = await runCliAsync(args);
  const stdout = r.stdout.toString(),
    stderr = r.stderr.toString();
  const ctx = `falco-ts ${args.join(' ')}\nstderr: ${stderr.slice(0, 2000)}`;
  if (t.exit_status !== undefined) {
    const listed = DIFFERENCES.exit_status.find((d) => d.test === t.test);
    if (listed) assert.equal(listed.falco, t.exit_status, `falco-deliberate-differences.yaml: ${t.test}`);
    assert.equal(
      r.status,
      listed?.ours ?? t.exit_status,
      `exit status${listed ? ' (a listed difference)' : ''}; ${ctx}`,
    );
  }
  const list = (v: string | string[] | undefined): string[] => ([] as string[]).concat(v ?? []);
  for (const s of list(t.stderr_contains)) assert.match(stderr, new RegExp(s), ctx);
  for (const s of list(t.stderr_not_contains)) assert.doesNotMatch(stderr, new RegExp(s), ctx);
  for (const s of list(t.stdout_contains)) assert.match(stdout, new RegExp(s), ctx);
  for (const s of list(t.stdout_not_contains)) assert.doesNotMatch(stdout, new RegExp(s), ctx);
  // the alerts, as the stdout output printed them
  const lines = stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n');
  if (t.detect === false) assert.equal(lines.length, 0, ctx);
  if (t.detect === true) {
    assert.ok(lines.length > 0, `detections expected; ${ctx}`);
    const priority = (l: string): string =>
      (t.json_output ? (JSON.parse(l) as { priority: string }).priority : (/^\S+: (\w+) /.exec(l)?.[1] ?? ''))
        .toUpperCase()
        .replace('INFORMATIONAL', 'INFO');
    const want = list(t.detect_level);
    const got = new Set(lines.map(priority));
    assert.ok(
      want.every((l) => got.has(l)),
      `detect levels ${want.join(',')}; ${ctx}`,
    );
  }
  for (const o of t.output_strictly_contains ?? [])
    for (const [where, want] of Object.entries(o)) {
      if (where === 'stdout') checkStrictOutput(t, where, lines, want);
      else {
        assert.ok(fs.existsSync(where), `${where} not written; ${ctx}`);
        checkStrictOutput(t, where, runner.fileLines(where), want);
      }
    }
}

const all: Expect[] = SKIP
  ? []
  : (
      JSON.parse(
        fs.readFileSync(path.join(SHARED, 'falco-tests', 'falco-test-expectations.json'), 'utf8'),
      ) as (Expect & {
        detect_counts?: unknown;
      })[]
    ).map((t) => t);

const skipped: string[] = [];
for (const t of all) {
  const why = skipReason(t);
  if (why) {
    skipped.push(`${t.test}: ${why}`);
    test(`falco regression: ${t.test}`, { skip: why }, () => {});
    continue;
  }
  test(`falco regression: ${t.test}`, async () => {
    if (t.conf_file !== undefined) {
      await checkWithConfig(t);
      return;
    }
    if (t.validate_rules_file !== undefined || t.rules_events) checkValidate(t);
    if (t.rules_file !== undefined || t.detect !== undefined) {
      if (t.validate_rules_file !== undefined && t.rules_file === undefined) return;
      await checkDetect(t);
    }
  });
}

test('falco regression: summary of skipped tests', { skip: SKIP ?? undefined }, () => {
  // Printed so the README list can be checked against it.
  process.stdout.write(
    `# ${all.length - skipped.length} of ${all.length} Falco regression tests run; skipped:\n# ${skipped.join('\n# ')}\n`,
  );
  assert.ok(all.length > 0);
});

test('every listed deliberate difference names a rule of a test that runs', { skip: SKIP ?? undefined }, () => {
  for (const d of DIFFERENCES.event_types) {
    const t = all.find((x) => x.test === d.test);
    assert.ok(t, `falco-deliberate-differences.yaml: no test ${d.test}`);
    assert.equal(skipReason(t), null, `falco-deliberate-differences.yaml: ${d.test} does not run`);
    assert.ok(
      (t.rules_events ?? []).some((re) => d.rule in re),
      `falco-deliberate-differences.yaml: ${d.test} expects no event types for ${d.rule}`,
    );
  }
});

test('every test listed to compare JSON as objects runs and prints JSON', { skip: SKIP ?? undefined }, () => {
  for (const d of DIFFERENCES.json_as_objects) {
    const t = all.find((x) => x.test === d.test);
    assert.ok(t && skipReason(t) === null && t.json_output === true, `falco-deliberate-differences.yaml: ${d.test}`);
  }
});

test('every test listed with another exit status runs through the CLI', { skip: SKIP ?? undefined }, () => {
  for (const d of DIFFERENCES.exit_status) {
    const t = all.find((x) => x.test === d.test);
    assert.ok(t && skipReason(t) === null && t.conf_file !== undefined, `falco-deliberate-differences.yaml: ${d.test}`);
  }
});
