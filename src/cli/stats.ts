/**
 * `falco-ts stats FILE... [filter] [--top N] [--json]`: what a trace contains, as tables of the
 * top processes, syscalls, files, connections and containers by event count and I/O bytes.
 *
 * Definitions (stable, so scripts can rely on them):
 * - an event is one record as `falco-ts replay` prints it: enter and exit both count,
 *   internal events (procinfo, …) and hidden state events do not;
 * - bytes are the return values (evt.rawres > 0) of successful I/O exit events (evt.is_io);
 * - process = proc.name; syscall = evt.type; file = fd.name of file/directory fds;
 *   connection = "l4proto fd.name" of IPv4/IPv6 socket fds; container = container.id (name).
 */
import type TableT from 'cli-table3';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer } from '../params/evtinfo';
import { INTERNAL_EVENT } from '../event/categories';
import { EventStep } from '../pipeline/event-step';
import { runTraces } from '../pipeline/trace-source';
import type { EventView } from '../event/view';
import type { FieldValue } from '../filter/field-api';
import { fieldRegistry, setParamRenderer } from '../filter/fields/registry';
import type { Command } from 'commander';
import { splitFilesAndFilter } from './replay';
import { buildFilter } from '../pipeline/start';
import { InputError } from '../util/errors';
import { Out } from '../util/out';
import { colorEnabled, makeChalk } from '../format/colors';
import { textFromBytes } from '../util/bytes';
import { lazy } from '../util/lazy';

/** the table code loads only when a table is printed */
const tableModule = lazy(() => require('cli-table3') as typeof TableT);

export interface StatsRow {
  key: string;
  events: number;
  bytes: number;
}

export interface TraceStats {
  /** the trace files read */
  traces: string[];
  filter: string;
  events: number;
  bytes: number;
  /** first and last event time (epoch ns, as decimal strings), null if no event */
  firstTs: string | null;
  lastTs: string | null;
  processes: StatsRow[];
  syscalls: StatsRow[];
  files: StatsRow[];
  connections: StatsRow[];
  containers: StatsRow[];
}

class Counter {
  private readonly m = new Map<string, StatsRow>();
  add(key: string, bytes: number): void {
    let r = this.m.get(key);
    if (r === undefined) {
      r = { key, events: 0, bytes: 0 };
      this.m.set(key, r);
    }
    r.events++;
    r.bytes += bytes;
  }
  /** All rows, most events first (then most bytes, then key). */
  rows(): StatsRow[] {
    return [...this.m.values()].sort(
      (a, b) => b.events - a.events || b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  }
}

/** A field value as display text (trace bytes decoded as UTF-8). */
function str(v: FieldValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? textFromBytes(v) : String(v);
}

/** Reads the traces and counts everything (no top-N cut). */
export async function computeStats(files: string[], filter = ''): Promise<TraceStats> {
  const state = new State();
  const params = new ParamRenderer(state, { maxBufLen: 80, bufferFormat: 'normal' });
  setParamRenderer(state, params);
  const flt = buildFilter(filter);
  const f = (name: string) => fieldRegistry.bind(name, null);
  const procName = f('proc.name'),
    evtType = f('evt.type'),
    fdType = f('fd.type'),
    fdName = f('fd.name');
  const l4 = f('fd.l4proto'),
    isIo = f('evt.is_io'),
    rawres = f('evt.rawres'),
    cid = f('container.id'),
    cname = f('container.name');
  const procs = new Counter(),
    calls = new Counter(),
    fileC = new Counter(),
    conns = new Counter(),
    conts = new Counter();
  let events = 0,
    bytes = 0;
  let first: bigint | null = null,
    last: bigint | null = null;
  const count = (ev: EventView) => {
    events++;
    const ts = BigInt(ev.tsSeconds()) * 1000000000n + BigInt(ev.tsNanos());
    if (first === null) first = ts;
    last = ts;
    let b = 0;
    if ((ev.type & 1) === 1 && isIo.extract(ev, state) === true) {
      const r = rawres.extract(ev, state);
      const n = typeof r === 'bigint' ? Number(r) : typeof r === 'number' ? r : 0;
      if (n > 0) b = n;
    }
    bytes += b;
    procs.add(str(procName.format(ev, state)) ?? '<NA>', b);
    calls.add(str(evtType.format(ev, state)) ?? '<NA>', b);
    const ft = str(fdType.extract(ev, state));
    if (ft !== null) {
      const name = str(fdName.format(ev, state));
      if (name !== null && name !== '') {
        if (ft === 'file' || ft === 'directory') fileC.add(name, b);
        else if (ft === 'ipv4' || ft === 'ipv6') conns.add(`${str(l4.format(ev, state)) ?? '?'} ${name}`, b);
      }
    }
    const id = str(cid.format(ev, state)) ?? '<NA>';
    const nm = str(cname.format(ev, state));
    conts.add(nm !== null && nm !== id ? `${id} (${nm})` : id, b);
  };
  // (internal events are not the trace's activity: left out before the filter)
  const step = new EventStep(state, {
    filter: {
      match:
        flt === null
          ? (ev) => INTERNAL_EVENT[ev.type] === 0
          : (ev) => INTERNAL_EVENT[ev.type] === 0 && flt.match(ev, state),
    },
    accepted: count,
  });
  await runTraces(step, files);
  const firstTs = first as bigint | null,
    lastTs = last as bigint | null;
  return {
    traces: files,
    filter,
    events,
    bytes,
    firstTs: firstTs === null ? null : firstTs.toString(),
    lastTs: lastTs === null ? null : lastTs.toString(),
    processes: procs.rows(),
    syscalls: calls.rows(),
    files: fileC.rows(),
    connections: conns.rows(),
    containers: conts.rows(),
  };
}

export interface StatsOptions {
  files: string[];
  filter: string;
  top: number;
  json: boolean;
  color?: boolean;
}

const SECTIONS: [keyof TraceStats, string, string][] = [
  ['processes', 'Top processes', 'Process'],
  ['syscalls', 'Top syscalls', 'Syscall'],
  ['files', 'Top files', 'File'],
  ['connections', 'Top connections', 'Connection'],
  ['containers', 'Top containers', 'Container'],
];

/** Top-N view of the stats: by events and by bytes, per section. */
export function topStats(s: TraceStats, top: number): Record<string, unknown> {
  const out: Record<string, unknown> = {
    traces: s.traces,
    filter: s.filter,
    events: s.events,
    bytes: s.bytes,
    first_ts: s.firstTs,
    last_ts: s.lastTs,
  };
  for (const [k] of SECTIONS) {
    const rows = s[k] as StatsRow[];
    out[k] = {
      distinct: rows.length,
      by_events: rows.slice(0, top),
      by_bytes: [...rows]
        .filter((r) => r.bytes > 0)
        .sort((a, b) => b.bytes - a.bytes || b.events - a.events || (a.key < b.key ? -1 : 1))
        .slice(0, top),
    };
  }
  return out;
}

const num = (n: number) => n.toLocaleString('en-US');

export function renderStats(s: TraceStats, top: number, color = false): string {
  const c = makeChalk(color);
  const parts: string[] = [];
  const span =
    s.firstTs !== null && s.lastTs !== null
      ? (Number(BigInt(s.lastTs) - BigInt(s.firstTs)) / 1e9).toFixed(3) + ' s'
      : '-';
  const head = new (tableModule())({ style: { head: [], border: [], compact: true } });
  head.push(
    { [c.bold('trace')]: s.traces.join(', ') },
    { [c.bold('filter')]: s.filter === '' ? '(none)' : s.filter },
    { [c.bold('events')]: num(s.events) },
    { [c.bold('I/O bytes')]: num(s.bytes) },
    { [c.bold('time span')]: span },
  );
  parts.push(head.toString());
  for (const [k, title, col] of SECTIONS) {
    const rows = s[k] as StatsRow[];
    const t = new (tableModule())({
      head: [c.bold(`${title} (${rows.length} distinct)`), c.bold('Events'), c.bold('Bytes')].map((h, i) =>
        i === 0 ? h.replace(title, `${col}`) : h,
      ),
      style: { head: [], border: [], compact: true },
      colAligns: ['left', 'right', 'right'],
    });
    if (rows.length === 0) {
      t.push([{ colSpan: 3, content: '(none)' }]);
    }
    for (const r of rows.slice(0, top))
      t.push([r.key.length > 100 ? r.key.slice(0, 99) + '…' : r.key, num(r.events), num(r.bytes)]);
    const byBytes = [...rows].filter((r) => r.bytes > 0).sort((a, b) => b.bytes - a.bytes || b.events - a.events);
    const topBytes = byBytes.slice(0, top);
    const shown = new Set(rows.slice(0, top).map((r) => r.key));
    const extra = topBytes.filter((r) => !shown.has(r.key));
    if (extra.length > 0) {
      t.push([{ colSpan: 3, content: c.dim('also among the top by bytes:') }]);
      for (const r of extra)
        t.push([r.key.length > 100 ? r.key.slice(0, 99) + '…' : r.key, num(r.events), num(r.bytes)]);
    }
    parts.push(c.bold(title) + '\n' + t.toString());
  }
  return parts.join('\n\n') + '\n';
}

export async function stats(opts: StatsOptions): Promise<number> {
  const s = await computeStats(opts.files, opts.filter);
  const out = new Out(1);
  const text = opts.json
    ? JSON.stringify(topStats(s, opts.top), null, 2) + '\n'
    : renderStats(s, opts.top, opts.color === true);
  out.write(Buffer.from(text, 'utf8').toString('latin1'));
  out.flush();
  return 0;
}

/** `falco-ts stats` (commander wiring, kept here so main.ts stays a list of commands). */
export function registerStats(program: Command, setCode: (c: number) => void): void {
  program
    .command('stats')
    .description(
      'summary tables of a trace: top processes, syscalls, files, connections and containers by events and bytes',
    )
    .argument('<file...>', 'trace files, then an optional filter expression')
    .option('--top <n>', 'rows per table (default 10)', (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new InputError(`--top: expected a positive integer, got '${v}'`);
      return Number(v);
    })
    .option('--json', 'one JSON document (all sections, top N by events and by bytes)')
    .option('--no-color', 'no colours (also NO_COLOR=1; colours only on a terminal)')
    .addHelpText(
      'after',
      `
An event is one line of \`falco-ts replay\` (enter and exit both count); bytes are the results
of successful I/O exits (evt.is_io, evt.rawres > 0).

Examples:
  falco-ts stats trace.scap
  falco-ts stats trace.scap --top 5 'proc.name=nginx'
  falco-ts stats trace.scap --json | jq '.connections.by_bytes[0]'`,
    )
    .action(async (args: string[], o: Record<string, unknown>) => {
      const { files, filter } = splitFilesAndFilter(args);
      setCode(
        await stats({
          files,
          filter,
          top: (o.top as number | undefined) ?? 10,
          json: o.json === true,
          color: colorEnabled(process.stdout, { noColor: o.color === false }),
        }),
      );
    });
}
