/**
 * Predicate pushdown (src/filter/pushdown) against the full filter, on the shared captures:
 * random filters from the field catalogue, with values that occur in each capture, biased to
 * the fields the kernel can test. For each filter, through the userspace model of the kernel
 * evaluator:
 * - soundness: no event the full filter matches is dropped by the kernel part;
 * - state kept whole: replaying only the events the kernel passes prints exactly the lines the
 *   full replay prints for the filter (names, fd paths, latencies, arguments).
 * The oracle is the full replay through the same filter compiler; the fixed seed keeps the
 * run reproducible.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCAP_DIR, SHARED, inputSkipReason, runCli, sharedSkipReason } from './helpers/env';
import { Rng } from '../fuzz/prng';
import { readTraceFile } from '../src/scap/file-source';
import type { EventView } from '../src/event/view';
import type { State } from '../src/state/state';
import type { Node } from '../src/filter/ast';
import { EVENTS } from '../src/event/generated/events';
import { EventStep } from '../src/pipeline/event-step';
import { startPipeline } from '../src/pipeline/start';
import { compileFilter, escapeValue } from '../src/filter';
import { fieldRegistry } from '../src/filter/fields/registry';
import { Template } from '../src/format/template';
import { K, KernelFilterModel, kernelPart, kernelPartOfAny, prune, explainPushdown } from '../src/filter/pushdown';

/** what each matched event prints: everything the state contributes to a line */
const LINE =
  '*%evt.num %evt.time %evt.cpu %proc.name %thread.tid %proc.pid %proc.ppid %proc.pname %proc.exe %proc.cwd ' +
  '%user.uid %evt.dir %evt.type %evt.res %fd.num %fd.name %fd.type %evt.args';
/**
 * evt.latency too, but not on events that skip the parser's reset (switch, internal events):
 * there libsinsp shows the latency of the thread's previous syscall, whichever event that
 * was, a value about the stream (like evt.deltatime) that dropping events changes.
 */
const LATENCY = ' %evt.latency';
const SWITCH_LIKE = new Set(
  EVENTS.filter((e) => e !== null && (e.flags.includes('EF_SKIPPARSERESET') || /SCHEDSWITCH/.test(e.enumName))).map(
    (e) => e!.code,
  ),
);

/** The line of a matched event. */
function lineOf(ts: { line: Template; latency: Template }, ev: EventView, st: State): string {
  const l = ts.line.format(ev, st) ?? '';
  return SWITCH_LIKE.has(ev.type) ? l : l + (ts.latency.format(ev, st) ?? '');
}

/** the fields the kernel part can test: most leaves use one of them */
const KERNEL_FIELDS = [
  'evt.type',
  'evt.dir',
  'proc.name',
  'proc.pid',
  'thread.tid',
  'user.uid',
  'evt.res',
  'evt.rawres',
  'evt.failed',
  'fd.num',
];

/**
 * Left out of the random leaves: fields about the stream rather than the event, which a
 * filtered stream changes by construction (event counts and deltas, times relative to the
 * first event, the neighbouring events), and fields with arguments or lists (not sampled).
 */
const STREAM_FIELDS = /^(evt\.(num|reltime|deltatime|around|count)|thread\.(exectime|totexectime))/;

const NUMERIC = new Set(['int', 'uint', 'port', 'reltime', 'abstime', 'double']);

interface Field {
  name: string;
  type: string;
}

function catalogue(): Field[] {
  return fieldRegistry
    .list()
    .filter((f) => f.arg !== 'required' && !f.isList && !f.filterOnly && !STREAM_FIELDS.test(f.name))
    .filter((f) => !['ipaddr', 'ipnet', 'bytebuf'].includes(f.type))
    .map((f) => ({ name: f.name, type: f.type }));
}

/** Every event of a capture, in order, into a step; `keep` (by position) skips the others. */
async function replay(file: string, step: EventStep, keep?: Uint8Array): Promise<void> {
  let i = 0;
  await readTraceFile(file, {
    onSection: step.section,
    onEvent: (ev: EventView) => {
      const k = keep === undefined || keep[i] === 1;
      i++;
      return k ? step.event(ev) : undefined;
    },
  });
}

/** distinct rendered values of the fields over a capture (at most 40 each) */
async function sample(file: string, fields: Field[]): Promise<Map<string, string[]>> {
  const { state } = startPipeline({ filter: '', bufferFormat: 'normal' });
  const ts = fields.map((f) => Template.compile('*%' + f.name, fieldRegistry));
  const vals = fields.map(() => new Set<string>());
  const step = new EventStep(state, {
    accepted: (ev) => {
      ts.forEach((t, k) => {
        const v = t.format(ev, state);
        if (v !== null && v !== '<NA>' && v !== '' && vals[k].size < 40) vals[k].add(v);
      });
    },
  });
  await replay(file, step);
  return new Map(fields.map((f, k) => [f.name, [...vals[k]]]));
}

function leaf(rng: Rng, f: Field, values: string[]): string {
  const v = rng.pick(values);
  const q = (s: string): string => escapeValue(s);
  if (f.type === 'bool') return `${f.name} ${rng.pick(['=', '!='])} ${rng.bool() ? 'true' : 'false'}`;
  if (NUMERIC.has(f.type) && /^-?\d+$/.test(v)) {
    const op = rng.pick(['=', '!=', '<', '<=', '>', '>=', 'in']);
    if (op === 'in') return `${f.name} in (${v}, ${rng.pick(values)})`;
    return `${f.name} ${op} ${Number(v) + (rng.bool(0.3) ? rng.range(-2, 2) : 0)}`;
  }
  const op = rng.pick(['=', '!=', 'in', 'startswith', 'contains', 'endswith']);
  switch (op) {
    case 'in':
      return `${f.name} in (${q(v)}, ${q(rng.pick(values))})`;
    case 'startswith':
      return `${f.name} startswith ${q(v.slice(0, 1 + rng.int(v.length)))}`;
    case 'contains':
      return `${f.name} contains ${q(v.slice(rng.int(v.length)))}`;
    case 'endswith':
      return `${f.name} endswith ${q(v.slice(rng.int(v.length)))}`;
    default:
      // now and then a name longer than a kernel comm, cut or not
      if (f.name === 'proc.name' && rng.bool(0.15))
        return `${f.name} ${op} ${q((v + '-and-a-longer-tail').slice(0, 15 + rng.int(5)))}`;
      return `${f.name} ${op} ${q(v)}`;
  }
}

function randomFilter(rng: Rng, kernel: Field[], others: Field[], values: Map<string, string[]>, depth = 0): string {
  const r = rng.float();
  if (depth < 3 && r < 0.45) {
    const n = 2 + rng.int(2);
    const parts = Array.from({ length: n }, () => randomFilter(rng, kernel, others, values, depth + 1));
    return '(' + parts.join(rng.bool() ? ' and ' : ' or ') + ')';
  }
  if (depth < 3 && r < 0.6) return `not ${randomFilter(rng, kernel, others, values, depth + 1)}`;
  const pool = rng.bool(0.7) || others.length === 0 ? kernel : others;
  const f = rng.pick(pool);
  return leaf(rng, f, values.get(f.name)!);
}

interface Outcome {
  filters: number;
  /** matched events the kernel part would drop (must be 0) */
  unsound: string[];
  /** filters whose pushed-down replay printed other lines (must be 0) */
  differ: string[];
  /** pruned and unpruned kernel parts disagreed */
  pruneDiffer: string[];
  matched: number;
  events: number;
  passed: number;
  keptForState: number;
}

/** `count` random filters that compile, from the values that occur in the capture */
async function randomFilters(file: string, rng: Rng, count: number): Promise<string[]> {
  const all = catalogue();
  const values = await sample(file, all);
  const usable = all.filter((f) => (values.get(f.name)?.length ?? 0) > 0);
  const kernel = usable.filter((f) => KERNEL_FIELDS.includes(f.name));
  const others = usable.filter((f) => !KERNEL_FIELDS.includes(f.name));
  const out: string[] = [];
  while (kernel.length > 0 && out.length < count) {
    const text = randomFilter(rng, kernel, others, values);
    try {
      compileFilter(text, fieldRegistry);
    } catch {
      continue; // e.g. a value the field's type does not take
    }
    out.push(text);
  }
  return out;
}

async function checkCapture(file: string, texts: string[], out: Outcome): Promise<void> {
  const filters = texts.map((text) => {
    const f = compileFilter(text, fieldRegistry);
    const k = kernelPart(f.expanded);
    return { text, f, k, model: new KernelFilterModel(k), pruned: new KernelFilterModel(prune(k)) };
  });
  // the full replay: every filter's matched lines and kernel verdicts
  const { state } = startPipeline({ filter: '', bufferFormat: 'normal' });
  const line = { line: Template.compile(LINE, fieldRegistry), latency: Template.compile('*' + LATENCY, fieldRegistry) };
  const lines = filters.map(() => [] as string[]);
  const keeps = filters.map(() => [] as number[]);
  let n = 0;
  const step = new EventStep(state, {
    updated: (ev) => {
      for (let j = 0; j < filters.length; j++) {
        const x = filters[j];
        // an event the trace marks state-only is not the probe's to drop
        const pass = (ev.dumpFlags & 1) !== 0 || x.model.passes(ev, state);
        keeps[j].push(pass ? 1 : 0);
        // pruning keeps exactly the FALSE verdicts
        if ((x.model.value(ev, state) === K.F) !== (x.pruned.value(ev, state) === K.F))
          out.pruneDiffer.push(`${x.text} @${path.basename(file)}#${ev.num}`);
      }
      n++;
    },
    accepted: (ev) => {
      for (let j = 0; j < filters.length; j++) {
        const x = filters[j];
        if (!x.f.match(ev, state)) continue;
        out.matched++;
        lines[j].push(lineOf(line, ev, state));
        if (keeps[j][keeps[j].length - 1] !== 1) out.unsound.push(`${x.text} @${path.basename(file)}#${ev.num}`);
      }
    },
  });
  await replay(file, step);
  out.events += n * filters.length;
  // the pushed-down replay of each filter
  for (let j = 0; j < filters.length; j++) {
    const x = filters[j];
    const keep = Uint8Array.from(keeps[j]);
    for (const b of keep) if (b === 1) out.passed++;
    out.keptForState += x.model.keptForState;
    const again = compileFilter(x.text, fieldRegistry);
    const p = startPipeline({ filter: '', bufferFormat: 'normal' });
    const got: string[] = [];
    const s2 = new EventStep(p.state, {
      filter: again,
      accepted: (ev) => {
        got.push(lineOf(line, ev, p.state));
      },
    });
    await replay(file, s2, keep);
    out.filters++;
    const a = lines[j];
    if (got.length !== a.length || got.some((l, i) => l !== a[i])) {
      const i = got.findIndex((l, k) => l !== a[k]);
      out.differ.push(
        `${x.text} @${path.basename(file)}: ${a.length} vs ${got.length} lines; first difference:\n  full:   ${a[i] ?? '(none)'}\n  pushed: ${got[i] ?? '(none)'}\n  kernel: ${explainPushdown([x.f.expanded])[0]}`,
      );
    }
  }
}

test(
  'the kernel part never drops a match and the kept events replay to the same lines',
  { timeout: 15 * 60 * 1000 },
  async (t) => {
    const why = sharedSkipReason();
    if (why !== null) {
      t.skip(why);
      return;
    }
    const seed = Number(process.env.PUSHDOWN_SEED ?? 7);
    const count = Number(process.env.PUSHDOWN_COUNT ?? 8);
    const rng = new Rng(seed);
    const files = fs
      .readdirSync(SCAP_DIR)
      .filter((f) => f.endsWith('.scap'))
      .sort();
    const out: Outcome = {
      filters: 0,
      unsound: [],
      differ: [],
      pruneDiffer: [],
      matched: 0,
      events: 0,
      passed: 0,
      keptForState: 0,
    };
    for (const f of files) {
      const file = path.join(SCAP_DIR, f);
      await checkCapture(file, await randomFilters(file, rng, count), out);
    }
    t.diagnostic(
      `${out.filters} filters over ${files.length} captures: ${out.matched} matches; ` +
        `kernel passed ${out.passed} of ${out.events} event verdicts (${out.keptForState} kept for the state)`,
    );
    assert.deepEqual(out.unsound.slice(0, 10), [], `${out.unsound.length} matched events dropped`);
    assert.deepEqual(out.pruneDiffer.slice(0, 10), [], 'pruning changed a verdict');
    assert.deepEqual(out.differ.slice(0, 5), [], `${out.differ.length} filters printed other lines`);
    assert.ok(out.filters >= files.length * count * 0.8, `too few filters: ${out.filters}`);
    assert.ok(out.matched > 1000, `too few matches: ${out.matched}`);
    // the kernel part must drop a fair share of what the state does not keep, or this proves little
    const testable = out.events - out.keptForState;
    assert.ok(out.events - out.passed > testable * 0.1, `kernel dropped ${out.events - out.passed} of ${testable}`);
  },
);

test('kernel parts of hand-picked filters', () => {
  const cases: [string, string][] = [
    ['proc.name in (nginx, php-fpm)', 'comm in (nginx, php-fpm)'],
    ['not proc.name = bash and evt.type = open', '(not comm in (bash) and type in (open))'],
    // under `not`, an untestable conjunct makes the whole conjunction untestable
    ['not (proc.name = bash and fd.name = /etc)', '?'],
    ['evt.type = open and fd.name contains x', 'type in (open)'],
    ['fd.name contains x or proc.pid = 3', '?'],
    // a kernel comm holds 15 bytes: a longer name is compared on its head, never TRUE
    ['proc.name = averyveryverylongname', 'comm = averyveryverylo (cut: ?)'],
    ['evt.res = ENOENT', 'res < 0'],
    ['evt.failed = false and thread.tid in (1, 2)', '(not res < 0 and tid in (1, 2))'],
    ['fd.num >= 3 and evt.dir = <', '(fd >= 3 and dir = exit)'],
  ];
  for (const [text, want] of cases) {
    const f = compileFilter(text, fieldRegistry);
    assert.equal(explainPushdown([f.expanded])[0], `kernel part: ${want}`, text);
  }
});

test('capture --explain prints the kernel part, the userspace part and the state set', (t) => {
  const r = runCli(['capture', '--explain', 'proc.name in (nginx, php-fpm) and fd.name startswith /etc']);
  assert.equal(r.status, 0, r.stderr.toString());
  const out = r.stdout.toString().split('\n');
  assert.equal(out[0], 'kernel part: comm in (nginx, php-fpm)');
  assert.ok(
    out.includes('userspace part: (proc.name in (nginx, php-fpm) and fd.name startswith /etc)'),
    out.join('\n'),
  );
  const kept = out.find((l) => l.startsWith('kept for the state (always passed): '));
  assert.ok(kept !== undefined);
  for (const e of ['clone', 'execve', 'procexit', 'open', 'close', 'dup', 'chdir', 'setuid'])
    assert.ok(kept.split(' ').includes(e), `${e} kept`);
  assert.ok(!kept.split(' ').includes('read'), 'read is kept on sockets only');
  const bad = runCli(['capture', '--explain', 'proc.name =']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /^falco-ts: filter error at column \d+: /);
  assert.equal(runCli(['capture', '--explain']).status, 2);
  const rules = path.join(SHARED, 'rules', 'falco_rules.yaml');
  const why = inputSkipReason(rules);
  if (why !== null) {
    t.diagnostic(why);
    return;
  }
  const rr = runCli(['capture', '--explain', '-r', rules, 'proc.name = nginx']);
  assert.equal(rr.status, 0, rr.stderr.toString());
  const lines = rr.stdout.toString().split('\n');
  // the filter gates the rules: its comm test is the first conjunct
  assert.match(lines[0], /^kernel part: \(comm in \(nginx\) and \(/);
  assert.match(
    lines.find((l) => l.startsWith('userspace part:')) ?? '',
    /^userspace part: the filter and any of the \d+ enabled rules$/,
  );
});

test('pushdown of a process-name filter on the web-server captures', async (t) => {
  const why = sharedSkipReason();
  if (why !== null) {
    t.skip(why);
    return;
  }
  const cases: [string, string][] = [
    ['bencer_example0_nginx.scap', 'proc.name = nginx'],
    ['bencer_example5_httpd.scap', 'proc.name in (httpd, php-fpm)'],
    ['sysdiginspect_502Error.scap', 'proc.name = haproxy and evt.type in (recvfrom, sendto, epoll_pwait)'],
    ['libs_sample.scap', 'proc.name = containerd and not evt.type = switch'],
    ['falco_psp_run_as_user_0_container.scap', 'user.uid = 0 and proc.name != sshd'],
  ];
  let dropped = 0;
  for (const [name, text] of cases) {
    const out: Outcome = {
      filters: 0,
      unsound: [],
      differ: [],
      pruneDiffer: [],
      matched: 0,
      events: 0,
      passed: 0,
      keptForState: 0,
    };
    await checkCapture(path.join(SCAP_DIR, name), [text], out);
    t.diagnostic(
      `${name} '${text}': ${out.events} events, ${out.matched} match; the kernel passes ${out.passed} ` +
        `(${out.keptForState} of them for the state)`,
    );
    assert.deepEqual([...out.unsound, ...out.differ], [], name);
    assert.ok(out.matched > 0, `${name}: nothing matched`);
    dropped += out.events - out.passed;
  }
  // the kernel drops the events of the other processes that the state does not need
  assert.ok(dropped > 0, 'nothing dropped');
});

/** Alert lines of a rules session over a capture; `keep` as in replay(), `seen` sees every event. */
async function alertsOf(
  file: string,
  rules: string[],
  keep?: Uint8Array,
  seen?: (ev: EventView, st: State) => void,
  alerted?: (ev: EventView) => void,
): Promise<string[]> {
  const { RulesSession } = await import('../src/rules');
  const { alertLine } = await import('../src/alert/render');
  const session = RulesSession.load({ rules });
  const { state } = startPipeline({ filter: '', bufferFormat: 'normal' });
  const out: string[] = [];
  const step = new EventStep(state, {
    updated: (ev) => seen?.(ev, state),
    accepted: (ev) => {
      if (session.process(ev, state, (a) => out.push(alertLine(a, false))) > 0) alerted?.(ev);
    },
  });
  await replay(file, step, keep);
  return out;
}

/** A rules session's enabled conditions, or null when the file does not load (some are meant not to). */
async function ruleConditions(rules: string[]): Promise<Node[] | null> {
  const { RulesSession } = await import('../src/rules');
  try {
    return RulesSession.load({ rules }).engine.enabled.map((r) => r.filter.expanded);
  } catch {
    return null;
  }
}

test('live -r: the OR of the rules kernel parts keeps every alert', { timeout: 10 * 60 * 1000 }, async (t) => {
  const why = sharedSkipReason();
  if (why !== null) {
    t.skip(why);
    return;
  }
  // Falco's own test rules (each file alone) over the captures of Falco's tests, and the
  // shipped rules over every capture
  const dir = path.join(SHARED, 'falco-tests', 'files', 'test', 'rules');
  const scaps = fs
    .readdirSync(SCAP_DIR)
    .filter((f) => f.endsWith('.scap'))
    .sort();
  const sets: [string[], string[]][] = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => [[path.join(dir, f)], scaps.filter((s) => s.startsWith('falco_'))]);
  sets.push([
    ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'].map((f) =>
      path.join(SHARED, 'rules', f),
    ),
    scaps,
  ]);
  let alerts = 0;
  let events = 0;
  let passed = 0;
  let loaded = 0;
  for (const [rules, names] of sets) {
    const asts = await ruleConditions(rules);
    if (asts === null || asts.length === 0) continue;
    loaded++;
    const k = kernelPartOfAny(asts);
    for (const name of names) {
      const file = path.join(SCAP_DIR, name);
      const model = new KernelFilterModel(k);
      const keep: number[] = [];
      const dropped: number[] = [];
      const full = await alertsOf(
        file,
        rules,
        undefined,
        // an event the trace marks state-only is not the probe's to drop
        (ev, st) => keep.push((ev.dumpFlags & 1) !== 0 || model.passes(ev, st) ? 1 : 0),
        (ev) => {
          if (keep[keep.length - 1] !== 1) dropped.push(ev.num);
        },
      );
      const what = `${path.basename(rules[0])} on ${name}`;
      assert.deepEqual(dropped, [], `${what}: alerting events dropped`);
      const pushed = await alertsOf(file, rules, Uint8Array.from(keep));
      assert.deepEqual(pushed, full, what);
      alerts += full.length;
      events += keep.length;
      passed += keep.filter((b) => b === 1).length;
    }
  }
  t.diagnostic(`${loaded} rules files: ${alerts} alerts; the kernel passes ${passed} of ${events} events`);
  assert.ok(loaded >= 30, `too few rules files loaded: ${loaded}`);
  assert.ok(alerts > 100, `too few alerts: ${alerts}`);
});
