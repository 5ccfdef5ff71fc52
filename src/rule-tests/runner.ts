/**
 * Runs rule-test cases: loads the rules (RulesSession, as `replay -r` does), replays the
 * traces, collects every alert (rule, priority, printed line, output fields on demand) and
 * compares them with the case's expectations. Each difference is one human-readable line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fieldRegistry } from '../filter/fields/registry';
import { EVENTS } from '../event/generated/events';
import { runSessionOnTraces } from '../pipeline/run';
import { RulesSession, RulesLoader, PRIORITY_NAMES, resolveRulesPath, LoadResult, type SessionOptions } from '../rules';
import type { CountSpec, LoadMessage, TestCase } from './spec';
import {
  dropsSetupOf,
  isConfigOption,
  loadFalcoConfig,
  mergeCommandLine,
  type FalcoConfig,
} from '../config/falco-config';
import { dropMonitorFor, type DropsSetup } from '../drops/event-drops';
import type { FalcoAlert, OutputFieldValue } from '../alert/alert';
import { alertLine, alertObject } from '../alert/render';
import { OutputManager } from '../output/manager';
import { InputError } from '../util/errors';
import type { EventView } from '../event/view';

export interface Alert {
  rule: string;
  priority: string;
  /** as printed (text line, or JSON with options.json) */
  line: string;
  /** JSON output_fields (only when the case checks outputs) */
  fields?: Readonly<Record<string, OutputFieldValue>>;
  /** the JSON form as an object (with options.json: to compare with expected JSON lines) */
  object?: Record<string, unknown>;
}

/** What a case keeps of an alert, rendered while its event is current. */
function keep(a: FalcoAlert, json: boolean, withFields: boolean): Alert {
  return {
    rule: a.rule,
    priority: PRIORITY_NAMES[a.priority],
    line: alertLine(a, json),
    fields: withFields ? a.fields() : undefined,
    object: json ? alertObject(a) : undefined,
  };
}

export type Status = 'pass' | 'fail' | 'skip' | 'error';

export interface CaseResult {
  spec: string;
  name: string;
  status: Status;
  /** differences (fail), the error (error) or the skip reason (skip) */
  messages: string[];
  /** alerts per rule (what fired) */
  counts: Record<string, number>;
  alerts: number;
  durationMs: number;
}

export function countOk(n: number, c: CountSpec): boolean {
  if (typeof c === 'number') return n === c;
  return (c.at_least === undefined || n >= c.at_least) && (c.at_most === undefined || n <= c.at_most);
}

export function countText(c: CountSpec): string {
  if (typeof c === 'number') return String(c);
  const p: string[] = [];
  if (c.at_least !== undefined) p.push(`at least ${c.at_least}`);
  if (c.at_most !== undefined) p.push(`at most ${c.at_most}`);
  return p.join(' and ') || 'any';
}

function sessionOptions(c: TestCase): SessionOptions {
  const o = c.options;
  return {
    rules: c.rules,
    overrides: o.overrides ?? [],
    runTags: o.tags,
    disableTags: o.disable_tags,
    disablePatterns: o.disable_rules,
    json: o.json === true,
    bothDirections: o.legacy_both_directions === true,
  };
}

/** Replays `traces` through `session`; every alert, in order. */
export async function collectAlerts(session: RulesSession, traces: string[], withFields: boolean): Promise<Alert[]> {
  return (await collectRun(session, traces, withFields)).alerts;
}

/**
 * collectAlerts with drop monitoring (a Falco config's syscall_event_drops): its alerts join
 * the others in order; `stopped` when its exit action ended the run; `report` its closing text.
 * `sink` also gets every alert as the outputs take it (a configuration's file and program outputs).
 */
export async function collectRun(
  session: RulesSession,
  traces: string[],
  withFields: boolean,
  drops?: DropsSetup,
  sink?: (a: FalcoAlert) => void,
): Promise<{ alerts: Alert[]; stopped: boolean; report: string }> {
  const alerts: Alert[] = [];
  const json = session.config.jsonOutput;
  let cur: EventView | null = null;
  let read = 0;
  const monitor =
    drops === undefined
      ? null
      : dropMonitorFor(drops, {
          emit: (a) => {
            alerts.push(keep(a, json, withFields));
            sink?.(a);
          },
          current: () => cur,
          json,
          ebpf: false,
        });
  const ok = await runSessionOnTraces(
    session,
    traces,
    (a) => {
      alerts.push(keep(a, json, withFields));
      sink?.(a);
    },
    monitor === null
      ? undefined
      : (ev) => {
          cur = ev;
          read++;
          return monitor.process(ev.tsApprox(), () => ({ events: read, drops: 0, dropsBuffer: 0 }));
        },
  );
  return { alerts, stopped: !ok, report: monitor === null ? '' : monitor.statsText() };
}

/** Checks expect.stderr and expect.exit against what a configured run printed and how it ended. */
function compareRun(c: TestCase, stderr: string, failed: boolean, diffs: string[]): void {
  const e = c.expect;
  for (const re of e.stderr?.matches ?? [])
    if (!new RegExp(re, 'm').test(stderr)) diffs.push(`stderr does not match /${re}/`);
  for (const re of e.stderr?.not_matches ?? [])
    if (new RegExp(re, 'm').test(stderr)) diffs.push(`stderr matches /${re}/ (it must not)`);
  if (e.exit !== undefined && (e.exit === 'failure') !== failed)
    diffs.push(`expected the run to end in ${e.exit}, it ended in ${failed ? 'failure' : 'success'}`);
}

const anyOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : ([] as string[]).concat(v));

function msgMatches(
  got: { code: string; message: string; ctx: { item(): { type: string; item: string } } },
  e: LoadMessage,
  checkType: boolean,
): boolean {
  if (!anyOf(e.code).includes(got.code)) return false;
  const it = got.ctx.item();
  if (checkType && e.item_type !== undefined && it.type !== e.item_type) return false;
  if (e.item_name !== undefined && it.item !== e.item_name) return false;
  const exact = anyOf(e.message);
  if (exact.length > 0 && !exact.includes(got.message)) return false;
  const contains = anyOf(e.message_contains);
  if (contains.length > 0 && !contains.some((s) => got.message.includes(s))) return false;
  return true;
}

const describeMsg = (m: { code: string; message: string; ctx: { item(): { type: string; item: string } } }): string =>
  `${m.code} ${m.ctx.item().type} '${m.ctx.item().item}': ${m.message}`;

/** Checks expect.load against validated files (`validate`). */
function checkValidation(c: TestCase, diffs: string[]): void {
  const le = c.expect.load ?? {};
  const loader = new RulesLoader({ registry: fieldRegistry });
  const results: LoadResult[] = [];
  for (const f of c.validate) {
    const rs = loader.loadPath(resolveRulesPath(f));
    if (rs.length > 0) results.push(rs[0]);
  }
  for (const ok of le.valid ?? []) {
    const r = results.find((x) => x.name.endsWith(ok));
    if (!r) diffs.push(`${ok}: not loaded`);
    else if (!r.ok) diffs.push(`${ok}: expected to be valid, got ${r.errors.map(describeMsg).join('; ')}`);
  }
  const errs = results.flatMap((r) => r.errors);
  for (const e of le.errors ?? []) {
    if (!errs.some((g) => msgMatches(g, e, true))) {
      diffs.push(
        `expected error ${JSON.stringify(e)}; got ${errs.length === 0 ? 'none' : errs.map(describeMsg).join('; ')}`,
      );
    }
  }
  const noErrors = le.no_errors ?? ((le.errors ?? []).length === 0 && le.ok !== false);
  if (noErrors && errs.length > 0) diffs.push(`expected no load errors, got ${errs.map(describeMsg).join('; ')}`);
  if (le.ok === false && errs.length === 0) diffs.push('expected the rules to fail to load; they loaded');
  const warns = results.flatMap((r) => r.warnings);
  if (le.error_count !== undefined && errs.length !== le.error_count)
    diffs.push(`expected ${le.error_count} load error(s), got ${errs.length}: ${errs.map(describeMsg).join('; ')}`);
  if (le.warning_count !== undefined && warns.length !== le.warning_count)
    diffs.push(
      `expected ${le.warning_count} load warning(s), got ${warns.length}: ${warns.map(describeMsg).join('; ')}`,
    );
  for (const w of le.warnings ?? []) {
    if (!warns.some((g) => msgMatches(g, w, true))) {
      diffs.push(
        `expected warning ${JSON.stringify(w)}; got ${warns.length === 0 ? 'none' : warns.map(describeMsg).join('; ')}`,
      );
    }
  }
  if (le.exact_warnings && le.warnings) {
    // codes given as alternatives (e.g. an old and a renamed code) count as one
    for (const key of new Set(le.warnings.map((w) => anyOf(w.code).join('|')))) {
      const codes = key.split('|');
      const code = key.replace(/\|/g, ' or ');
      const want = le.warnings
        .filter((w) => anyOf(w.code).join('|') === key)
        .map((w) => w.item_name ?? '')
        .sort();
      const got = warns
        .filter((g) => codes.includes(g.code))
        .map((g) => g.ctx.item().item)
        .sort();
      if (JSON.stringify(want) !== JSON.stringify(got))
        diffs.push(`items with warning ${code}: expected [${want.join(', ')}], got [${got.join(', ')}]`);
    }
  }
  if (le.event_types) {
    const byName = new Map(loader.ruleset.rules.map((r) => [r.name, r]));
    for (const [name, evts] of Object.entries(le.event_types)) {
      const r = byName.get(name);
      if (!r) {
        diffs.push(`rule '${name}' not loaded`);
        continue;
      }
      if (evts === 'any') continue;
      const et = r.eventTypes;
      const got =
        et === null || et.size > 100 ? ['all'] : [...new Set([...et].map((x) => EVENTS[x]?.name ?? String(x)))].sort();
      const want = [...evts].sort();
      if (JSON.stringify(got) !== JSON.stringify(want))
        diffs.push(`event types of '${name}': expected [${want.join(', ')}], got [${got.join(', ')}]`);
    }
  }
}

/**
 * JSON.parse keeping integers beyond 2^53 exact (as bigint), which a double would round:
 * 64-bit output fields of expected alerts, e.g. the ns timestamp 1470327477881781397.
 * (They are marked as "\u0000<digits>" strings for the parse; a text that has \u0000 of its
 * own is parsed as it is.)
 */
export function parseJsonExact(text: string): unknown {
  if (!/\d{16}/.test(text) || text.includes('\\u0000')) return JSON.parse(text);
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.+-])/g, (m) =>
    m[0] === '"' || Number.isSafeInteger(Number(m)) ? m : `"\\u0000${m}"`,
  );
  return JSON.parse(marked, (_k, v: unknown) =>
    typeof v === 'string' && v.charCodeAt(0) === 0 ? BigInt(v.slice(1)) : v,
  );
}

/** A JSON value with sorted keys, bigints marked: equal values give equal strings. */
const canonical = (v: unknown): string =>
  JSON.stringify(sortKeys(v), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

/**
 * The first line where printed alert lines differ from the expected ones (as text, or with
 * `asJson` as JSON objects: key order and spacing aside, 64-bit integers exact), or null.
 * `gotObjects`, if given, are the alerts' JSON forms as objects (compared instead of parsing
 * the printed lines).
 */
export function firstDifference(
  expected: string[],
  got: string[],
  asJson: boolean,
  gotObjects?: readonly (Record<string, unknown> | undefined)[],
): { line: number; expected: string; got: string } | null {
  const norm = (l: string): string => {
    if (!asJson) return l;
    try {
      return canonical(parseJsonExact(l));
    } catch {
      return l;
    }
  };
  const n = Math.max(expected.length, got.length);
  for (let i = 0; i < n; i++) {
    const obj = asJson ? gotObjects?.[i] : undefined;
    if (norm(expected[i] ?? '') !== (obj !== undefined ? canonical(obj) : norm(got[i] ?? '')))
      return { line: i + 1, expected: expected[i] ?? '(nothing)', got: got[i] ?? '(nothing)' };
  }
  return null;
}

/** A file's lines, as the expected outputs are written (the last line may lack its newline). */
export function fileLines(file: string): string[] {
  const t = fs.readFileSync(file, 'utf8').replace(/\n$/, '');
  return t === '' ? [] : t.split('\n');
}

function fieldEq(got: OutputFieldValue | undefined, want: unknown): boolean {
  if (got === want) return true;
  if (got === undefined) return false;
  return String(got) === String(want);
}

/** Compares what fired with expect (alerts, totals, priorities, outputs, printed output). */
export function compareAlerts(c: TestCase, alerts: Alert[], diffs: string[]): void {
  const e = c.expect;
  const counts = new Map<string, number>();
  for (const a of alerts) counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
  for (const [rule, want] of Object.entries(e.alerts ?? {})) {
    const n = counts.get(rule) ?? 0;
    if (!countOk(n, want)) diffs.push(`'${rule}': expected ${countText(want)} alert(s), got ${n}`);
  }
  for (const rule of e.must_not_fire ?? []) {
    const n = counts.get(rule) ?? 0;
    if (n > 0) diffs.push(`'${rule}' must not fire, fired ${n} time(s)`);
  }
  if (e.only_listed) {
    for (const [rule, n] of counts) if (!(rule in (e.alerts ?? {}))) diffs.push(`unexpected '${rule}': ${n} alert(s)`);
  }
  if (e.total !== undefined && !countOk(alerts.length, e.total)) {
    const first = alerts
      .slice(0, 3)
      .map((a) => `\n      ${a.line}`)
      .join('');
    diffs.push(`expected ${countText(e.total)} alert(s) in total, got ${alerts.length}${first}`);
  }
  const priorityName = (p: string): string => p.toLowerCase().replace(/^info$/, 'informational');
  const fired = new Set(alerts.map((a) => a.priority.toLowerCase()));
  const missing = (e.all_priorities ?? []).filter((p) => !fired.has(priorityName(p)));
  if (missing.length > 0)
    diffs.push(`expected alerts of priority ${missing.join(' and ')}, got ${[...fired].join(', ') || 'none'}`);
  for (const [p, want] of Object.entries(e.priority_counts ?? {})) {
    const n = alerts.filter((a) => a.priority.toLowerCase() === priorityName(p)).length;
    if (!countOk(n, want)) diffs.push(`priority ${p}: expected ${countText(want)} alert(s), got ${n}`);
  }
  if (e.priorities && e.priorities.length > 0) {
    const want = e.priorities.map(priorityName);
    const got = [...fired];
    if (!got.some((p) => want.includes(p)))
      diffs.push(`expected an alert of priority ${e.priorities.join(' or ')}, got ${got.join(', ') || 'none'}`);
  }
  for (const o of e.outputs ?? []) {
    const cand = alerts.filter((a) => o.rule === undefined || a.rule === o.rule);
    const hit = cand.find(
      (a) =>
        (o.contains === undefined || a.line.includes(o.contains)) &&
        Object.entries(o.fields ?? {}).every(([k, v]) => fieldEq(a.fields?.[k], v)),
    );
    if (!hit) {
      const near = cand[0];
      const got =
        near === undefined
          ? 'no such alert'
          : o.fields
            ? `got ${JSON.stringify(Object.fromEntries(Object.keys(o.fields).map((k) => [k, near.fields?.[k] ?? null])))}`
            : `got ${near.line}`;
      diffs.push(
        `expected an alert${o.rule ? ` of '${o.rule}'` : ''}${o.fields ? ` with ${JSON.stringify(o.fields)}` : ''}${o.contains ? ` containing ${JSON.stringify(o.contains)}` : ''}: ${got}`,
      );
    }
  }
  const out = e.output;
  if (out) {
    const lines = alerts.map((a) => a.line);
    const text = lines.join('\n');
    for (const re of out.matches ?? [])
      if (!new RegExp(re, 'm').test(text)) diffs.push(`output does not match /${re}/`);
    for (const re of out.not_matches ?? [])
      if (new RegExp(re, 'm').test(text)) diffs.push(`output matches /${re}/ (it must not)`);
    for (const re of out.every_line_matches ?? []) {
      const bad = lines.find((l) => !new RegExp(re).test(l));
      if (bad !== undefined) diffs.push(`line does not match /${re}/: ${bad}`);
    }
    if (out.equals_file) {
      const d = firstDifference(
        fileLines(out.equals_file),
        lines,
        c.options.json === true && out.json_as_objects === true,
        alerts.map((a) => a.object),
      );
      if (d) diffs.push(differs(out.equals_file, 'output', d));
    }
  }
}

const differs = (file: string, what: string, d: { line: number; expected: string; got: string }): string =>
  `${what} differs from ${file} at line ${d.line}:\n      expected: ${d.expected}\n      got:      ${d.got}`;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function withEnv<T>(env: Record<string, string> | undefined, fn: () => Promise<T>): Promise<T> {
  if (!env || Object.keys(env).length === 0) return fn();
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  const restore = () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  return fn().then(
    (r) => {
      restore();
      return r;
    },
    (e) => {
      restore();
      throw e;
    },
  );
}

/** Runs one case. Never throws: an unexpected error is status 'error'. */
export async function runCase(c: TestCase): Promise<CaseResult> {
  const t0 = Date.now();
  const res: CaseResult = {
    spec: c.file,
    name: c.name,
    status: 'pass',
    messages: [],
    counts: {},
    alerts: 0,
    durationMs: 0,
  };
  if (c.skip !== undefined) {
    res.status = 'skip';
    res.messages.push(c.skip);
    return res;
  }
  const diffs: string[] = [];
  try {
    await withEnv(c.options.env, async () => {
      if (c.validate.length > 0) checkValidation(c, diffs);
      // a Falco config (-c): Falco's log and report go to `stderr`; a rejected config fails the run
      let config: FalcoConfig | null = null;
      const stderr: string[] = [];
      // (overrides of the configuration's own sections, e.g. syscall_event_drops.*, as with -o)
      const cfgOverrides = (c.options.overrides ?? []).filter(isConfigOption);
      if (c.options.config !== undefined || cfgOverrides.length > 0) {
        try {
          config = loadFalcoConfig(c.options.config ?? null, cfgOverrides);
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          stderr.push(`Error: ${e.message}\n`);
          compareRun(c, stderr.join(''), true, diffs);
          return;
        }
      }
      const so = sessionOptions(c);
      if (config !== null) Object.assign(so, mergeCommandLine(config, so.rules, so.overrides ?? []));
      if (so.rules.length === 0 && (c.traces.length === 0 || c.validate.length > 0)) return;
      const le = c.expect.load;
      // a fatal load error is expected (Falco exits 1): load.error_matches, or load.ok false without validate
      const expectFail =
        le !== undefined && (le.error_matches !== undefined || (le.ok === false && c.validate.length === 0));
      let session: RulesSession;
      try {
        session = RulesSession.load(so);
      } catch (e) {
        if (!expectFail) throw e;
        const msg = 'Error: ' + (e as Error).message;
        for (const re of le.error_matches ?? [])
          if (!new RegExp(re).test(msg)) diffs.push(`load error does not match /${re}/: ${msg}`);
        return;
      }
      if (expectFail) {
        diffs.push('expected the rules to fail to load; they loaded');
        return;
      }
      for (const t of c.traces) if (!fs.existsSync(t)) throw new Error(`trace not found: ${t}`);
      // the configuration's file and program outputs, for the files they must write
      const files = c.expect.output?.files ?? {};
      let outputs: OutputManager | null = null;
      if (config !== null && Object.keys(files).length > 0) {
        for (const f of Object.keys(files)) {
          fs.rmSync(f, { force: true });
          fs.mkdirSync(path.dirname(f), { recursive: true });
        }
        const specs = (config.outputs ?? []).filter((o) => o.startsWith('file:') || o.startsWith('program:'));
        outputs = OutputManager.create(specs, { json: session.config.jsonOutput, log: (m) => stderr.push(m + '\n') });
      }
      const drops =
        config === null
          ? undefined
          : dropsSetupOf(config, (t) => {
              stderr.push(t);
            });
      const run = await collectRun(
        session,
        c.traces,
        (c.expect.outputs ?? []).some((o) => o.fields !== undefined),
        drops,
        outputs === null ? undefined : (a) => outputs.emit(a),
      );
      if (outputs !== null) await outputs.close();
      for (const [f, want] of Object.entries(files)) {
        if (!fs.existsSync(f)) {
          diffs.push(`${f}: not written`);
          continue;
        }
        const json = session.config.jsonOutput && c.expect.output?.json_as_objects === true;
        const d = firstDifference(fileLines(want), fileLines(f), json);
        if (d) diffs.push(differs(want, f, d));
      }
      const alerts = run.alerts;
      for (const a of alerts) res.counts[a.rule] = (res.counts[a.rule] ?? 0) + 1;
      res.alerts = alerts.length;
      compareAlerts(c, alerts, diffs);
      if (config !== null) compareRun(c, stderr.join('') + run.report, run.stopped, diffs);
    });
  } catch (e) {
    res.status = 'error';
    res.messages.push((e as Error).message);
    res.durationMs = Date.now() - t0;
    return res;
  }
  if (diffs.length > 0) {
    res.status = 'fail';
    res.messages.push(...diffs);
  }
  res.durationMs = Date.now() - t0;
  return res;
}
