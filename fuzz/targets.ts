/**
 * What one fuzz case runs, in-process (inside a worker process that the driver times and
 * watches). Each returns an outcome:
 *   ok     the input was accepted
 *   clean  the input was refused with the project's one-line user error (exit code 2)
 *   crash  anything else: another exception, a multi-line or empty message, output that is
 *          not what it claims (invalid JSON, a written trace we cannot read back)
 * Hangs and memory blow-ups are the driver's to see (timeout, RSS, allocation sizes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from './prng';
import { mutateRaw, wrap, Seed } from './trace-mutators';
import { FilterGen, pathologicalFilter, PATHOLOGICAL_MATCHES } from './filter-gen';
import type { RulesCorpus } from './corpus';
import { readTraceFile } from '../src/scap/file-source';
import { ScapReader } from '../src/scap/reader';
import { ScapWriter } from '../src/scap/writer';
import { MemorySink } from '../src/scap/compressed-sink';
import { snapshotState } from '../src/state/snapshot';
import type { SectionMetadata } from '../src/scap/metadata';
import { State } from '../src/state/state';
import '../src/state/parsers';
import { ParamRenderer, BufferFormat } from '../src/params/evtinfo';
import { DefaultLineFormatter } from '../src/format/line';
import { Template } from '../src/format/template';
import { fieldRegistry, setParamRenderer, setOutputTimeFormat, observeEvent } from '../src/filter/fields/registry';
import {
  compileFilter,
  parseFilter,
  CompiledFilter,
  FilterError,
  compileRegex,
  compileGlob,
  RegexSyntaxError,
} from '../src/filter';
import type { MacroDef } from '../src/filter';
import { FieldError } from '../src/filter/field-api';
import { InputError } from '../src/util/errors';

export type Outcome = 'ok' | 'clean' | 'crash';

export interface CaseResult {
  outcome: Outcome;
  /** one line: what was done, and for a crash what went wrong */
  detail: string;
  /** for trace cases: the mutated input, kept on disk when asked */
  file?: string;
  events?: number;
}

/** CPU time since t0 (not wall time: the machine may be busy with other work) */
export function cpuMs(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const BUFFER_FORMATS: BufferFormat[] = [
  'normal',
  'ascii',
  'hex',
  'hexascii',
  'base64',
  'json',
  'jsonhex',
  'jsonbase64',
];

function errText(e: unknown): string {
  if (e instanceof Error) {
    const top = (e.stack ?? '')
      .split('\n')
      .slice(1, 4)
      .map((s) => s.trim())
      .join(' | ');
    return `${e.name}: ${e.message}${top ? ` [${top}]` : ''}`;
  }
  return `non-Error thrown: ${String(e)}`;
}

/** A user error as the CLI prints it: one non-empty line. */
function cleanMessage(e: InputError, mustName: string | null): string | null {
  const m = e.message;
  if (m.length === 0) return 'empty error message';
  if (/[\r\n]/.test(m)) return `multi-line error message: ${JSON.stringify(m.slice(0, 200))}`;
  // echoing a long token is tolerable; echoing megabytes of input is not
  if (m.length > 65536) return `error message of ${m.length} characters`;
  if (mustName !== null && !m.includes(mustName)) return `error does not name the file: ${m}`;
  return null;
}

// ---- shared context (built once per worker) ------------------------------------------------------

export interface Ctx {
  seeds: Seed[];
  corpus: RulesCorpus;
  gen: FilterGen;
  /** fields that compile as %field in a template */
  templateFields: string[];
  /** compiled real rule conditions, evaluated on mutated traces */
  ruleFilters: CompiledFilter[];
  macroDefs: Map<string, MacroDef | null>;
  tmp: string;
  /** the default ruleset (src/rules RulesSession), judging the mutated traces; null if not built */
  rules: RulesSessionLike[];
}

type Alert = import('../src/alert/alert').FalcoAlert;
interface RulesSessionLike {
  process(ev: import('../src/event/view').EventView, st: State, sink: (a: Alert) => void): number;
}

/** Falco's JSON line of an alert (src/alert/render). */
const alertJson = (a: Alert): string =>
  (require(path.join(__dirname, '..', 'src', 'alert', 'render')) as typeof import('../src/alert/render')).alertJson(a);

/** Rules sessions over the default ruleset (text and JSON alerts), if src/rules provides them. */
function loadRuleSessions(): RulesSessionLike[] {
  try {
    const m = require(path.join(__dirname, '..', 'src', 'rules', 'index')) as {
      RulesSession?: { load(o: unknown): RulesSessionLike };
    };
    if (!m.RulesSession || typeof m.RulesSession.load !== 'function') return [];
    return [
      m.RulesSession.load({ rules: ['default'] }),
      m.RulesSession.load({ rules: ['default'], json: true, bothDirections: true }),
    ];
  } catch {
    return [];
  }
}

export function macroResolver(
  corpus: RulesCorpus,
  cache: Map<string, MacroDef | null>,
): (n: string) => MacroDef | null {
  return (name) => {
    if (cache.has(name)) return cache.get(name)!;
    const cond = corpus.macros.get(name);
    let def: MacroDef | null = null;
    if (cond !== undefined) {
      try {
        const p = parseFilter(cond);
        def = { ast: p.ast, text: p.text };
      } catch {
        def = null;
      }
    }
    cache.set(name, def);
    return def;
  };
}

export function buildCtx(seeds: Seed[], corpus: RulesCorpus, tmp: string): Ctx {
  const names = fieldRegistry.list().map((f) => f.name);
  const templateFields: string[] = [];
  for (const n of names) {
    try {
      Template.compile(`%${n}`, fieldRegistry);
      templateFields.push(n);
    } catch {
      /* needs an argument, or filter-only */
    }
  }
  for (const extra of [
    'evt.arg[0]',
    'evt.arg[1]',
    'evt.arg.fd',
    'evt.arg.name',
    'proc.aname[2]',
    'proc.env[HOME]',
    'evt.rawarg.res',
    'proc.apid[1]',
  ]) {
    try {
      Template.compile(`%${extra}`, fieldRegistry);
      templateFields.push(extra);
    } catch {
      /* not supported */
    }
  }
  const macroDefs = new Map<string, MacroDef | null>();
  const resolveMacro = macroResolver(corpus, macroDefs);
  const resolveList = (n: string): string[] | null => corpus.lists.get(n) ?? null;
  const ruleFilters: CompiledFilter[] = [];
  for (const c of corpus.conditions) {
    try {
      ruleFilters.push(compileFilter(c, fieldRegistry, { resolveMacro, resolveList }));
    } catch {
      /* plugin fields etc. */
    }
  }
  return {
    seeds,
    corpus,
    gen: new FilterGen(names, corpus.conditions),
    templateFields,
    ruleFilters,
    macroDefs,
    tmp,
    rules: loadRuleSessions(),
  };
}

// ---- traces --------------------------------------------------------------------------------------

/** Builds the mutated trace for case `rng` (deterministic). */
export function makeTrace(ctx: Ctx, rng: Rng): { data: Buffer; desc: string } {
  const seed = rng.pick(ctx.seeds);
  const others = ctx.seeds.filter((s) => s !== seed);
  const { data, ops } = mutateRaw(rng, seed, others);
  const m = wrap(rng, data, ops);
  return { data: m.data, desc: `${seed.name} ${m.wrap} [${m.ops.join('; ')}]` };
}

export async function runTraceCase(ctx: Ctx, rng: Rng, id: number, keep: boolean): Promise<CaseResult> {
  const { data, desc } = makeTrace(ctx, rng);
  const file = path.join(ctx.tmp, `case-${id}.scap`);
  fs.writeFileSync(file, data);
  try {
    const r = await traceThroughPipeline(ctx, rng, file);
    return { ...r, detail: `${desc}: ${r.detail}`, file: keep ? file : undefined };
  } finally {
    if (!keep) fs.rmSync(file, { force: true });
  }
}

/** readTraceFile → State → renderers, template (text and JSON), rule filters, writer (read back). */
export async function traceThroughPipeline(ctx: Ctx, rng: Rng, file: string): Promise<CaseResult> {
  const state = new State();
  const params = new ParamRenderer(state, {
    maxBufLen: rng.bool(0.7) ? 80 : 0,
    bufferFormat: rng.pick(BUFFER_FORMATS),
  });
  setParamRenderer(state, params);
  if (rng.bool(0.3)) setOutputTimeFormat(state, rng.pick(['h', 'a', 'r', 'd', 'D']));
  const line = new DefaultLineFormatter(state, params);
  const nf = 8 + rng.int(40);
  const fields: string[] = [];
  for (let i = 0; i < nf && ctx.templateFields.length > 0; i++) fields.push(rng.pick(ctx.templateFields));
  const tpl = fields.length > 0 ? Template.compile('*' + fields.map((f) => `%${f}`).join(' '), fieldRegistry) : null;
  const filters: CompiledFilter[] = [];
  for (let i = 0; i < 3 && ctx.ruleFilters.length > 0; i++) filters.push(rng.pick(ctx.ruleFilters));
  const session = ctx.rules.length > 0 && rng.bool(0.5) ? rng.pick(ctx.rules) : null;
  const rulesJson = session !== null && rng.bool(0.5);
  const sink = new MemorySink();
  const writer = new ScapWriter(sink);
  let written = 0;
  let lastMeta: SectionMetadata | null = null;
  let problem: string | null = null;
  let cbError: unknown = null;

  const onSection = (meta: SectionMetadata): void => {
    try {
      state.loadSection(meta);
      writer.writeSection(meta);
      lastMeta = meta;
    } catch (e) {
      cbError = e;
      throw e;
    }
  };
  const onEvent = (ev: import('../src/event/view').EventView): void => {
    try {
      observeEvent(state, ev);
      state.processEvent(ev);
      writer.writeEvent(ev, ev.dumpFlags);
      written++;
      if (state.cur.hidden) return;
      for (const f of filters) f.match(ev, state);
      if (session !== null) {
        if (rulesJson) {
          session.process(ev, state, (a) => {
            const j = alertJson(a);
            if (problem === null) {
              try {
                JSON.parse(j);
              } catch (e) {
                problem = `invalid JSON alert at event ${ev.num}: ${(e as Error).message}: ${j.slice(0, 300)}`;
              }
            }
          });
        } else session.process(ev, state, (a) => a.text());
      }
      line.format(ev);
      if (tpl !== null) {
        tpl.format(ev, state);
        const j = tpl.formatJson(ev, state);
        if (j !== null && problem === null) {
          try {
            JSON.parse(j);
          } catch (e) {
            problem = `invalid JSON output at event ${ev.num}: ${(e as Error).message}: ${j.slice(0, 300)}`;
          }
        }
      }
    } catch (e) {
      cbError = e;
      throw e;
    }
  };

  let outcome: Outcome = 'ok';
  let detail: string;
  let events = 0;
  try {
    const res = await readTraceFile(file, { onSection, onEvent });
    events = res.stats.events;
    detail = `ok, ${events} events`;
  } catch (e) {
    if (e instanceof InputError && e.exitCode === 2) {
      const bad = cleanMessage(e, path.basename(file));
      if (bad !== null) return { outcome: 'crash', detail: bad };
      outcome = 'clean';
      detail = `refused: ${e.message.replace(file, '<file>')}`;
    } else {
      return {
        outcome: 'crash',
        detail: `pipeline threw ${errText(cbError ?? e)}${cbError ? ` (reported as: ${(e as Error).message})` : ''}`,
      };
    }
  }
  if (problem !== null) return { outcome: 'crash', detail: problem };

  // Whatever we wrote must read back, every event of it.
  try {
    writer.close();
    const back = readBack(sink.contents());
    if (back.events !== written)
      return { outcome: 'crash', detail: `wrote ${written} events, read back ${back.events}` };
    if (lastMeta !== null) {
      const s2 = new MemorySink();
      const w2 = new ScapWriter(s2);
      w2.writeSection(snapshotState(state, lastMeta));
      w2.close();
      readBack(s2.contents());
    }
  } catch (e) {
    return { outcome: 'crash', detail: `writer round trip failed: ${errText(e)}` };
  }
  return { outcome, detail, events };
}

function readBack(buf: Buffer): { events: number; sections: number } {
  let events = 0,
    sections = 0;
  const r = new ScapReader({
    onSection: () => {
      sections++;
    },
    onEvent: () => {
      events++;
    },
  });
  if (buf.length === 0) return { events, sections };
  r.feed(buf);
  r.finish();
  return { events, sections };
}

// ---- filters -------------------------------------------------------------------------------------

function classifyFilterError(e: unknown): CaseResult | null {
  if (e instanceof FilterError || e instanceof FieldError) {
    if (e.message.length === 0) return { outcome: 'crash', detail: `${e.name} with an empty message` };
    return { outcome: 'clean', detail: `${e.name}: ${e.message.slice(0, 160)}` };
  }
  return null;
}

export function runFilterCase(ctx: Ctx, rng: Rng): CaseResult {
  const text = ctx.gen.next(rng);
  const withRules = rng.bool(0.6);
  const opts = withRules
    ? {
        resolveMacro: macroResolver(ctx.corpus, ctx.macroDefs),
        resolveList: (n: string) => ctx.corpus.lists.get(n) ?? null,
      }
    : {};
  const shown = JSON.stringify(text.length > 300 ? text.slice(0, 300) + '…' : text);
  let f: CompiledFilter;
  try {
    f = compileFilter(text, fieldRegistry, opts);
  } catch (e) {
    const c = classifyFilterError(e);
    if (c !== null) return { ...c, detail: `${shown}: ${c.detail}` };
    return { outcome: 'crash', detail: `${shown}: compileFilter threw ${errText(e)}` };
  }
  // A compiled filter must also run: evaluate it over a small capture.
  try {
    evaluateOnSeed(ctx, rng, f);
  } catch (e) {
    return { outcome: 'crash', detail: `${shown}: match() threw ${errText(e)}` };
  }
  return { outcome: 'ok', detail: shown };
}

/** Output templates from the rules, mutated: compile or a one-line InputError. */
export function runTemplateCase(ctx: Ctx, rng: Rng): CaseResult {
  let t =
    ctx.corpus.outputs.length > 0 && rng.bool(0.7)
      ? rng.pick(ctx.corpus.outputs)
      : '%' + rng.pick(ctx.templateFields) + ' %evt.arg[' + rng.int(5) + ']';
  // field widths: %NNfield pads or cuts
  if (rng.bool(0.3))
    t = t.replace(/%(?=[a-z])/g, () =>
      rng.bool(0.5) ? `%${rng.pick([0, 1, 5, 80, 1000, 65535, 65536, 4294967296, 999999999999])}` : '%',
    );
  if (rng.bool(0.7)) t = ctx.gen.mutate(rng, t);
  const shown = JSON.stringify(t.slice(0, 200));
  let tpl: Template;
  try {
    tpl = Template.compile(t, fieldRegistry);
  } catch (e) {
    if (e instanceof InputError) {
      const bad = cleanMessage(e, null);
      return bad
        ? { outcome: 'crash', detail: `${shown}: ${bad}` }
        : { outcome: 'clean', detail: `${shown}: ${e.message.slice(0, 120)}` };
    }
    return { outcome: 'crash', detail: `${shown}: Template.compile threw ${errText(e)}` };
  }
  // ...and a template that compiles must format every event, as text and as valid JSON
  try {
    forEachEvent(ctx, rng, (ev, st) => {
      tpl.format(ev, st);
      const j = tpl.formatJson(ev, st);
      if (j !== null) JSON.parse(j);
    });
  } catch (e) {
    return { outcome: 'crash', detail: `${shown}: formatting threw ${errText(e)}` };
  }
  return { outcome: 'ok', detail: shown };
}

/** Small captures decoded once per worker, to run compiled filters on real events. */
const evalCache = new Map<string, Buffer>();

function evaluateOnSeed(ctx: Ctx, rng: Rng, f: CompiledFilter): void {
  forEachEvent(ctx, rng, (ev, state) => {
    f.match(ev, state);
  });
}

/** Runs fn on every shown event of a small real capture (state rebuilt, renderer set). */
function forEachEvent(ctx: Ctx, rng: Rng, fn: (ev: import('../src/event/view').EventView, st: State) => void): void {
  const small = ctx.seeds.filter((s) => s.raw.length < 300_000);
  if (small.length === 0) return;
  const seed = rng.pick(small);
  let raw = evalCache.get(seed.name);
  if (raw === undefined) {
    raw = seed.raw;
    evalCache.set(seed.name, raw);
  }
  const state = new State();
  setParamRenderer(state, new ParamRenderer(state, { maxBufLen: 80, bufferFormat: 'normal' }));
  const r = new ScapReader({
    onSection: (m) => state.loadSection(m),
    onEvent: (ev) => {
      observeEvent(state, ev);
      state.processEvent(ev);
      if (!state.cur.hidden) fn(ev, state);
    },
  });
  r.feed(raw);
  r.finish();
}

/** Pathological filters and catastrophic patterns: must finish in bounded time. */
export function runPathologicalCase(ctx: Ctx, rng: Rng): CaseResult {
  if (rng.bool(0.4)) {
    const m = rng.pick(PATHOLOGICAL_MATCHES);
    const n = rng.pick([1000, 10000, 100000]);
    const text = m.text(n);
    const t0 = process.cpuUsage();
    try {
      const fn = m.kind === 'regex' ? compileRegex(m.pattern) : compileGlob(m.pattern);
      fn(text);
    } catch (e) {
      if (!(e instanceof RegexSyntaxError))
        return { outcome: 'crash', detail: `${m.kind} ${m.pattern}: threw ${errText(e)}` };
    }
    const ms = cpuMs(t0);
    // linear time: 100k characters take well under a second
    if (ms > 3000)
      return {
        outcome: 'crash',
        detail: `${m.kind} '${m.pattern}' on ${n} chars took ${ms.toFixed(0)} ms (not linear)`,
      };
    return { outcome: 'ok', detail: `${m.kind} '${m.pattern}' x${n}: ${ms.toFixed(1)} ms` };
  }
  const { text, what } = pathologicalFilter(rng);
  const t0 = process.cpuUsage();
  let res: CaseResult;
  try {
    const f = compileFilter(text, fieldRegistry);
    evaluateOnSeed(ctx, rng, f);
    res = { outcome: 'ok', detail: what };
  } catch (e) {
    const c = classifyFilterError(e);
    res =
      c !== null
        ? { ...c, detail: `${what}: ${c.detail}` }
        : { outcome: 'crash', detail: `${what}: threw ${errText(e)}` };
  }
  const ms = cpuMs(t0);
  if (ms > 5000) return { outcome: 'crash', detail: `${what}: took ${ms.toFixed(0)} ms` };
  return { ...res, detail: `${res.detail} (${ms.toFixed(0)} ms)` };
}

/** Macro graphs with cycles and exponential fan-out: refused, naming the macro. */
export function runMacroGraphCase(rng: Rng): CaseResult {
  const n = 2 + rng.int(30);
  const defs = new Map<string, string>();
  const kind = rng.int(3);
  for (let i = 0; i < n; i++) {
    if (kind === 0)
      defs.set(`m${i}`, i === n - 1 ? 'm0 and proc.name=a' : `m${i + 1} or proc.name=b`); // cycle
    else if (kind === 1)
      defs.set(`m${i}`, i === 0 ? 'proc.name=a' : `(m${i - 1} or m${i - 1}) and m${i - 1}`); // bomb
    else defs.set(`m${i}`, rng.bool(0.3) ? `m${rng.int(n)} and fd.num>${i}` : `proc.pid=${i} or m${rng.int(i + 1)}`); // random graph
  }
  const top = `m${kind === 1 ? n - 1 : rng.int(n)}`;
  const cache = new Map<string, MacroDef | null>();
  const resolveMacro = (name: string): MacroDef | null => {
    if (cache.has(name)) return cache.get(name)!;
    const c = defs.get(name);
    const d = c === undefined ? null : { ast: parseFilter(c).ast, text: c };
    cache.set(name, d);
    return d;
  };
  const t0 = process.cpuUsage();
  try {
    compileFilter(top, fieldRegistry, { resolveMacro });
    if (kind === 0) return { outcome: 'crash', detail: `macro cycle of ${n} compiled without an error` };
    return { outcome: 'ok', detail: `macro graph kind ${kind} n=${n} (${cpuMs(t0).toFixed(0)} ms)` };
  } catch (e) {
    if (!(e instanceof FilterError))
      return { outcome: 'crash', detail: `macro graph kind ${kind} n=${n}: threw ${errText(e)}` };
    if (kind === 0 && !/macro '?m\d+/.test(e.message))
      return { outcome: 'crash', detail: `macro cycle error does not name the macro: ${e.message}` };
    return {
      outcome: 'clean',
      detail: `macro graph kind ${kind} n=${n}: ${e.message.slice(0, 100)} (${cpuMs(t0).toFixed(0)} ms)`,
    };
  }
}
