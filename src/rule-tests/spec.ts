/**
 * Rule-test spec files (`falco-ts test SPEC.yaml...`): YAML documents naming traces, rules
 * files, options and the expected outcome of each case. See README, "Testing rules".
 *
 *   rules: [default]                 # defaults for every case (each case may override)
 *   options: {legacy_both_directions: false}
 *   cases:
 *     - name: write below etc
 *       traces: [traces/write-etc.scap]
 *       expect:
 *         alerts: {Write below /etc: 1, Log file cleared: {at_least: 1}}
 *         must_not_fire: [Read of sensitive file by unexpected program]
 *         outputs: [{rule: Write below /etc, fields: {fd.name: /etc/x.conf}}]
 *
 * Paths (traces, rules, validate, output.equals_file, output.files) are relative to the spec file; `default`
 * names our default ruleset; `${VAR}` expands spec `vars`, then the environment, then the
 * built-ins ${SHARED} (FALCO_TS_SHARED, else ../shared beside the repository), ${ROOT} (the
 * repository) and ${SPEC_DIR}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { InputError } from '../util/errors';

/** An expected count: exact, or bounded. */
export type CountSpec = number | { at_least?: number; at_most?: number };

export interface CaseOptions {
  /** -o key=value (Falco configuration keys) */
  overrides?: string[];
  /** --tag (Falco -t) */
  tags?: string[];
  /** -T */
  disable_tags?: string[];
  /** --disable-rule (Falco -D) */
  disable_rules?: string[];
  /** judge enter and exit events (Falco <= 0.41, its regression traces) */
  legacy_both_directions?: boolean;
  /** alerts printed as JSON (for output checks) */
  json?: boolean;
  /** environment while the case runs (e.g. TZ, FALCO_HOSTNAME) */
  env?: Record<string, string>;
  /** a Falco configuration file (falco-ts replay -c): its keys, outputs and syscall_event_drops */
  config?: string;
}

export interface LoadMessage {
  code: string | string[];
  item_type?: string;
  item_name?: string;
  /** exact message (any of) */
  message?: string | string[];
  /** substring of the message (any of) */
  message_contains?: string | string[];
}

export interface LoadExpect {
  /** false: loading must fail (a fatal error, as Falco exits 1) */
  ok?: boolean;
  /** regexes the fatal error must match, as Falco prints it: "Error: <message>" */
  error_matches?: string[];
  errors?: LoadMessage[];
  warnings?: LoadMessage[];
  /** for each warning code listed, exactly the items listed have it */
  exact_warnings?: boolean;
  /** no load errors at all (default: when errors are not listed and ok is not false) */
  no_errors?: boolean;
  /** how many errors / warnings the validated files give in all (Falco's tests count them) */
  error_count?: number;
  warning_count?: number;
  /** validated files (name suffixes) that must load without errors */
  valid?: string[];
  /** event types each rule is indexed on (sorted names; `any` = not checked, the rule must exist) */
  event_types?: Record<string, string[] | 'any'>;
}

export interface OutputExpect {
  /** some alert of `rule` (any rule if omitted) has all these output fields (JSON output_fields) */
  rule?: string;
  fields?: Record<string, string | number | boolean | null>;
  /** the printed alert contains this text */
  contains?: string;
}

export interface Expect {
  alerts?: Record<string, CountSpec>;
  must_not_fire?: string[];
  /** rules not named in `alerts` must not fire */
  only_listed?: boolean;
  total?: CountSpec;
  /** at least one alert has one of these priorities (Falco's names, case-insensitive) */
  priorities?: string[];
  /** each of these priorities has at least one alert (Falco's detect_level) */
  all_priorities?: string[];
  /** alerts per priority (Falco's names, case-insensitive): e.g. {WARNING: 0} (Falco's tests count by priority) */
  priority_counts?: Record<string, CountSpec>;
  outputs?: OutputExpect[];
  output?: {
    /** regexes (multi-line) the printed alerts must match */
    matches?: string[];
    not_matches?: string[];
    /** regexes every printed alert line must match */
    every_line_matches?: string[];
    /** the printed alerts equal this file, line by line */
    equals_file?: string;
    /**
     * files the outputs of the case's `config` write (file_output, program_output): each path
     * (removed before the run) ends up equal to its expected file, line by line; only with
     * this key does the case run those outputs
     */
    files?: Record<string, string>;
    /** JSON lines (with options.json) compare as objects, not as text: key order and spacing aside */
    json_as_objects?: boolean;
  };
  load?: LoadExpect;
  /** regexes Falco's log and closing report on stderr must (not) match (cases with a config) */
  stderr?: { matches?: string[]; not_matches?: string[] };
  /** how the run ends: failure = Falco exits 1 (a rejected config, the drop exit action) */
  exit?: 'success' | 'failure';
}

export interface TestCase {
  name: string;
  description?: string;
  /** skipped with this reason */
  skip?: string;
  traces: string[];
  rules: string[];
  /** rules files to load and validate (as `rules validate`), checked with expect.load */
  validate: string[];
  options: CaseOptions;
  expect: Expect;
  /** the spec file, its directory */
  file: string;
  dir: string;
}

export interface SpecFile {
  file: string;
  name: string;
  cases: TestCase[];
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export function sharedDir(): string {
  return process.env.FALCO_TS_SHARED ?? path.resolve(REPO_ROOT, '..', 'shared');
}

const CASE_KEYS = new Set(['name', 'description', 'skip', 'traces', 'trace', 'rules', 'validate', 'options', 'expect']);
const OPTION_KEYS = new Set([
  'overrides',
  'o',
  'tags',
  'disable_tags',
  'disable_rules',
  'legacy_both_directions',
  'json',
  'env',
  'config',
]);
const EXPECT_KEYS = new Set([
  'alerts',
  'must_not_fire',
  'only_listed',
  'total',
  'priorities',
  'all_priorities',
  'priority_counts',
  'outputs',
  'output',
  'load',
  'stderr',
  'exit',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  throw new InputError(`${what}: expected a string or a list of strings`);
}

function checkCount(v: unknown, what: string): CountSpec {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (isObj(v)) {
    for (const k of Object.keys(v))
      if (k !== 'at_least' && k !== 'at_most') throw new InputError(`${what}: unknown key '${k}' (at_least, at_most)`);
    for (const k of ['at_least', 'at_most']) {
      if (v[k] !== undefined && !(typeof v[k] === 'number' && Number.isInteger(v[k]) && v[k] >= 0)) {
        throw new InputError(`${what}.${k}: expected a non-negative integer`);
      }
    }
    return v;
  }
  throw new InputError(`${what}: expected a count (N) or {at_least: N} / {at_most: N}`);
}

function options(v: unknown, what: string): CaseOptions {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new InputError(`${what}: expected a mapping`);
  for (const k of Object.keys(v))
    if (!OPTION_KEYS.has(k)) throw new InputError(`${what}: unknown option '${k}' (${[...OPTION_KEYS].join(', ')})`);
  const o: CaseOptions = {};
  const ov = [...strList(v.overrides, `${what}.overrides`), ...strList(v.o, `${what}.o`)];
  if (ov.length > 0) o.overrides = ov;
  if (v.tags !== undefined) o.tags = strList(v.tags, `${what}.tags`);
  if (v.disable_tags !== undefined) o.disable_tags = strList(v.disable_tags, `${what}.disable_tags`);
  if (v.disable_rules !== undefined) o.disable_rules = strList(v.disable_rules, `${what}.disable_rules`);
  if (v.legacy_both_directions !== undefined) o.legacy_both_directions = v.legacy_both_directions === true;
  if (v.json !== undefined) o.json = v.json === true;
  if (v.config !== undefined) {
    if (typeof v.config !== 'string' || v.config === '') throw new InputError(`${what}.config: expected a file path`);
    o.config = v.config;
  }
  if (v.env !== undefined) {
    if (!isObj(v.env)) throw new InputError(`${what}.env: expected a mapping`);
    o.env = Object.fromEntries(Object.entries(v.env).map(([k, x]) => [k, String(x)]));
  }
  return o;
}

function expectOf(v: unknown, what: string): Expect {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new InputError(`${what}: expected a mapping`);
  for (const k of Object.keys(v))
    if (!EXPECT_KEYS.has(k)) throw new InputError(`${what}: unknown key '${k}' (${[...EXPECT_KEYS].join(', ')})`);
  const e: Expect = {};
  if (v.alerts !== undefined && v.alerts !== null) {
    if (!isObj(v.alerts)) throw new InputError(`${what}.alerts: expected a mapping rule: count`);
    e.alerts = {};
    for (const [r, c] of Object.entries(v.alerts)) e.alerts[r] = checkCount(c, `${what}.alerts['${r}']`);
  } else if (v.alerts === null) e.alerts = {};
  if (v.must_not_fire !== undefined) e.must_not_fire = strList(v.must_not_fire, `${what}.must_not_fire`);
  if (v.only_listed !== undefined) e.only_listed = v.only_listed === true;
  if (v.total !== undefined) e.total = checkCount(v.total, `${what}.total`);
  if (v.priorities !== undefined) e.priorities = strList(v.priorities, `${what}.priorities`);
  if (v.all_priorities !== undefined) e.all_priorities = strList(v.all_priorities, `${what}.all_priorities`);
  if (v.priority_counts !== undefined) {
    if (!isObj(v.priority_counts)) throw new InputError(`${what}.priority_counts: expected a mapping priority: count`);
    e.priority_counts = {};
    for (const [p, c] of Object.entries(v.priority_counts))
      e.priority_counts[p] = checkCount(c, `${what}.priority_counts['${p}']`);
  }
  if (v.outputs !== undefined) {
    if (!Array.isArray(v.outputs) || !v.outputs.every(isObj))
      throw new InputError(`${what}.outputs: expected a list of mappings`);
    e.outputs = v.outputs;
  }
  if (v.output !== undefined) {
    if (!isObj(v.output)) throw new InputError(`${what}.output: expected a mapping`);
    const o = v.output;
    e.output = {
      matches: o.matches !== undefined ? strList(o.matches, `${what}.output.matches`) : undefined,
      not_matches: o.not_matches !== undefined ? strList(o.not_matches, `${what}.output.not_matches`) : undefined,
      every_line_matches:
        o.every_line_matches !== undefined
          ? strList(o.every_line_matches, `${what}.output.every_line_matches`)
          : undefined,
      equals_file: typeof o.equals_file === 'string' ? o.equals_file : undefined,
      json_as_objects: o.json_as_objects === true ? true : undefined,
    };
    if (o.files !== undefined) {
      if (!isObj(o.files) || !Object.values(o.files).every((f) => typeof f === 'string'))
        throw new InputError(`${what}.output.files: expected a mapping written path: expected file`);
      e.output.files = o.files as Record<string, string>;
    }
    for (const re of [
      ...(e.output.matches ?? []),
      ...(e.output.not_matches ?? []),
      ...(e.output.every_line_matches ?? []),
    ]) {
      try {
        new RegExp(re);
      } catch (err) {
        throw new InputError(`${what}.output: bad regex ${JSON.stringify(re)}: ${(err as Error).message}`);
      }
    }
  }
  if (v.load !== undefined) {
    if (!isObj(v.load)) throw new InputError(`${what}.load: expected a mapping`);
    e.load = v.load;
  }
  if (v.stderr !== undefined) {
    if (!isObj(v.stderr)) throw new InputError(`${what}.stderr: expected a mapping`);
    for (const k of Object.keys(v.stderr))
      if (k !== 'matches' && k !== 'not_matches')
        throw new InputError(`${what}.stderr: unknown key '${k}' (matches, not_matches)`);
    e.stderr = {
      matches: v.stderr.matches !== undefined ? strList(v.stderr.matches, `${what}.stderr.matches`) : undefined,
      not_matches:
        v.stderr.not_matches !== undefined ? strList(v.stderr.not_matches, `${what}.stderr.not_matches`) : undefined,
    };
    for (const re of [...(e.stderr.matches ?? []), ...(e.stderr.not_matches ?? [])]) {
      try {
        new RegExp(re);
      } catch (err) {
        throw new InputError(`${what}.stderr: bad regex ${JSON.stringify(re)}: ${(err as Error).message}`);
      }
    }
  }
  if (v.exit !== undefined) {
    if (v.exit !== 'success' && v.exit !== 'failure') throw new InputError(`${what}.exit: expected success or failure`);
    e.exit = v.exit;
  }
  return e;
}

/** Expands ${VAR} in a path and resolves it against the spec directory ('default' stays). */
export function resolvePath(p: string, dir: string, vars: Record<string, string>): string {
  if (p === 'default' || p === 'builtin') return p;
  const x = p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_all, name: string) => {
    if (vars[name] !== undefined) return vars[name];
    if (process.env[name] !== undefined) return process.env[name];
    if (name === 'SHARED') return sharedDir();
    if (name === 'ROOT') return REPO_ROOT;
    if (name === 'SPEC_DIR') return dir;
    throw new InputError(`unknown variable \${${name}} in ${JSON.stringify(p)}`);
  });
  return path.resolve(dir, x);
}

/** Parses one spec file; throws InputError naming the file and the case on a malformed spec. */
export function loadSpec(file: string): SpecFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text, { uniqueKeys: true });
  } catch (e) {
    throw new InputError(`${file}: YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return specFromObject(doc, file);
}

export function specFromObject(doc: unknown, file: string): SpecFile {
  const dir = path.dirname(path.resolve(file));
  if (!isObj(doc)) throw new InputError(`${file}: expected a mapping with 'cases'`);
  for (const k of Object.keys(doc)) {
    if (!['name', 'description', 'vars', 'rules', 'options', 'cases'].includes(k))
      throw new InputError(`${file}: unknown top-level key '${k}'`);
  }
  const vars: Record<string, string> = {};
  if (doc.vars !== undefined) {
    if (!isObj(doc.vars)) throw new InputError(`${file}: vars: expected a mapping`);
    for (const [k, v] of Object.entries(doc.vars)) vars[k] = String(v);
  }
  const defRules = strList(doc.rules, `${file}: rules`);
  const defOpts = options(doc.options, `${file}: options`);
  if (!Array.isArray(doc.cases)) throw new InputError(`${file}: 'cases' must be a list`);
  const seen = new Set<string>();
  const cases: TestCase[] = doc.cases.map((c: unknown, i: number) => {
    const where = `${file}: case ${i + 1}`;
    if (!isObj(c)) throw new InputError(`${where}: expected a mapping`);
    for (const k of Object.keys(c))
      if (!CASE_KEYS.has(k)) throw new InputError(`${where}: unknown key '${k}' (${[...CASE_KEYS].join(', ')})`);
    if (typeof c.name !== 'string' || c.name === '') throw new InputError(`${where}: 'name' is required`);
    if (seen.has(c.name)) throw new InputError(`${where}: duplicate case name '${c.name}'`);
    seen.add(c.name);
    const w = `${file}: case '${c.name}'`;
    const traces = [...strList(c.trace, `${w}.trace`), ...strList(c.traces, `${w}.traces`)].map((p) =>
      resolvePath(p, dir, vars),
    );
    const rules = (c.rules !== undefined ? strList(c.rules, `${w}.rules`) : defRules).map((p) =>
      resolvePath(p, dir, vars),
    );
    const validate = strList(c.validate, `${w}.validate`).map((p) => resolvePath(p, dir, vars));
    const co = options(c.options, `${w}.options`);
    const opts: CaseOptions = { ...defOpts, ...co, env: { ...(defOpts.env ?? {}), ...(co.env ?? {}) } };
    if (opts.config !== undefined) opts.config = resolvePath(opts.config, dir, vars);
    const expect = expectOf(c.expect, `${w}.expect`);
    if (expect.output?.equals_file) expect.output.equals_file = resolvePath(expect.output.equals_file, dir, vars);
    if (expect.output?.files) {
      expect.output.files = Object.fromEntries(
        Object.entries(expect.output.files).map(([k, f]) => [resolvePath(k, dir, vars), resolvePath(f, dir, vars)]),
      );
      if (opts.config === undefined) throw new InputError(`${w}: output.files needs options.config (its outputs)`);
    }
    const skip =
      c.skip === undefined || c.skip === false
        ? undefined
        : String(c.skip === true ? 'skipped' : (c.skip as string | number));
    const noRules = Array.isArray(c.rules) && c.rules.length === 0; // `rules: []`: judged by no rules
    if (skip === undefined && traces.length > 0 && rules.length === 0 && !noRules)
      throw new InputError(`${w}: traces but no rules`);
    return {
      name: c.name,
      description: typeof c.description === 'string' ? c.description : undefined,
      skip,
      traces,
      rules,
      validate,
      options: opts,
      expect,
      file,
      dir,
    };
  });
  return { file, name: typeof doc.name === 'string' ? doc.name : path.basename(file), cases };
}
