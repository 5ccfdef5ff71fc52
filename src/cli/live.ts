/**
 * `falco-ts [opts] [filter]`: live events in the terminal, as `sysdig [filter]` prints them,
 * with replay's output options (-p, -j, -n, -M, -v, -A/-x/-X/-b, -D, -t, -q).
 *
 *   probe → batches → EventView → State → filter → line / template / JSON → stdout
 *
 * On a TTY the default line is coloured like sysdig's (NO_COLOR turns it off). Ctrl-C,
 * SIGTERM, -n or -M stop; the probe is detached and drained and a summary goes to stderr.
 */
import { Command } from 'commander';
import { snapshotProc } from '../capture/proc-snapshot';
import { EventDecoder, LivePump, formatSummary, kernelEventTypes, openLiveProbe } from '../capture/live-source';
import type { NativeProbe, ProbeOptions } from '../capture/native-api';
import type { SectionMetadata } from '../capture/metadata';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer, BufferFormat } from '../format/evtinfo';
import { DefaultLineFormatter } from '../format/line';
import { Template, unescapeSysdigFormat } from '../format/template';
import { ColorLineFormatter, SYSDIG_RESET, colorEnabled } from '../format/colors';
import { Out } from '../util/out';
import { InputError } from '../util/errors';
import { EVENTS } from '../event/generated/events';
import type { EventView } from '../event/view';
import { fieldRegistry, setParamRenderer, setOutputTimeFormat, observeEvent } from '../filter/fields/registry';
import { buildFilter } from './replay';
import { probeOptions } from './capture';

export interface LiveOptions {
  filter: string;
  numEvents?: number;
  /** -M: wall-clock seconds */
  durationSec?: number;
  verbose?: boolean;
  debug?: boolean;
  bufferFormat: BufferFormat;
  quiet?: boolean;
  /** -p template (sysdig escapes already processed) */
  format?: string;
  json?: boolean;
  timeFormat?: string;
  snaplen?: number;
  /** colour the default line: undefined = when stdout is a TTY */
  color?: boolean;
  /** output fd (default 1) */
  fd?: number;
  /** no summary line */
  noSummary?: boolean;
  /** tests: the probe and the initial state */
  openProbe?: (opts: ProbeOptions) => NativeProbe;
  snapshot?: () => SectionMetadata;
}

const INTERNAL = new Uint8Array(EVENTS.length);
for (const e of EVENTS) if (e && e.category.includes('EC_INTERNAL')) INTERNAL[e.code] = 1;

const DEFAULT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

export async function live(opts: LiveOptions): Promise<number> {
  const state = new State();
  const params = new ParamRenderer(state, { maxBufLen: opts.verbose ? 0 : 80, bufferFormat: opts.bufferFormat });
  setParamRenderer(state, params);
  if (opts.timeFormat) setOutputTimeFormat(state, opts.timeFormat);
  const filter = buildFilter(opts.filter);
  if (opts.snaplen !== undefined && (!Number.isInteger(opts.snaplen) || opts.snaplen < 0 || opts.snaplen > 65535)) {
    throw new InputError('-s: expected a snaplen between 0 and 65535');
  }
  const template = opts.format !== undefined || opts.json
    ? Template.compile(opts.format ?? DEFAULT_FORMAT, fieldRegistry) : null;
  const fd = opts.fd ?? 1;
  const color = template === null && (opts.color ?? (fd === 1 && colorEnabled(process.stdout)));
  const line = template !== null ? null : color ? new ColorLineFormatter(state, params) : new DefaultLineFormatter(state, params);
  const json = opts.json === true;
  const print = !opts.quiet;

  const popts = probeOptions(opts, kernelEventTypes(filter !== null ? filter.eventTypes : null));
  const probe = opts.openProbe ? opts.openProbe(popts) : openLiveProbe(popts);
  const out = new Out(fd);
  let counted = 0;
  const limit = opts.numEvents ?? Infinity;
  let result;
  let decoder: EventDecoder;
  try {
    state.loadSection(opts.snapshot ? opts.snapshot() : snapshotProc());
    decoder = new EventDecoder((ev: EventView) => {
      observeEvent(state, ev);
      state.processEvent(ev);
      if (state.cur.hidden) return;
      if (filter !== null && !filter.match(ev, state)) return;
      counted++;
      if (print && !out.closed && (opts.debug || !INTERNAL[ev.type])) {
        let s: string | null;
        if (template !== null) s = json ? template.formatJson(ev, state) : template.format(ev, state);
        else s = line!.format(ev);
        if (s !== null) out.line(s);
      }
      if (counted >= limit) return false;
    });
    const d = decoder;
    const pump = new LivePump(probe, (b) => {
      const more = d.feed(b);
      // live output: show what this batch printed now, not when 64 KiB have piled up
      out.flush();
      return more && !out.closed;
    }, { durationSec: opts.durationSec });
    result = await pump.run();
  } finally {
    try { probe.close(); } catch { /* already closed */ }
    if (color) out.write(SYSDIG_RESET);
    out.flush();
  }
  if (!opts.noSummary) {
    process.stderr.write(formatSummary({ events: counted, stats: result.stats, durationMs: result.durationMs }) + '\n');
  }
  if (decoder.unknownEvents > 0) {
    process.stderr.write(`falco-ts: the probe sent ${decoder.unknownEvents} events of unknown type (skipped)\n`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// CLI: the program's default action

function bufferFormat(o: Record<string, unknown>): BufferFormat {
  const j = o.json === true;
  if (o.printHexAscii) return j ? 'jsonhexascii' : 'hexascii';
  if (o.printHex) return j ? 'jsonhex' : 'hex';
  if (o.printAscii) return j ? 'jsonascii' : 'ascii';
  if (o.printBase64) return j ? 'jsonbase64' : 'base64';
  return j ? 'json' : 'normal';
}

function count(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InputError(`${flag}: expected a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

function timeType(v: string): string {
  if (/^[hardD]$/.test(v)) return v;
  throw new InputError(`-t: expected one of h, a, r, d, D, got '${v}'`);
}

/**
 * Makes `falco-ts [opts] [filter]` (no subcommand) run live mode. Program options become
 * positional, so a subcommand's own -p/-n/... are left to the subcommand.
 */
export function registerLive(program: Command, done: (code: number) => void, run: (o: LiveOptions) => Promise<number> = live): Command {
  return program
    .enablePositionalOptions()
    .argument('[filter...]', 'live mode (root): filter expression; events are printed as they happen')
    .option('-p, --print <format>', 'live mode: output template, as replay -p')
    .option('-j, --json', 'live mode: one JSON object per event')
    .option('-n, --numevents <n>', 'live mode: stop after N matching events', count('-n'))
    .option('-M <secs>', 'live mode: stop after N seconds', count('-M'))
    .option('-s, --snaplen <len>', 'live mode: bytes of each I/O buffer captured (default 80)', count('-s'))
    .option('-t, --timetype <h|a|r|d|D>', 'live mode: how %evt.outputtime is shown', timeType)
    .option('-v, --verbose', 'live mode: do not truncate rendered buffers to 80 bytes')
    .option('-D, --debug', 'live mode: also print internal events')
    .option('-A, --print-ascii', 'live mode: data buffers, printable characters only')
    .option('-x, --print-hex', 'live mode: data buffers in hex')
    .option('-X, --print-hex-ascii', 'live mode: data buffers in hex and ASCII')
    .option('-b, --print-base64', 'live mode: data buffers in base64')
    .option('-q, --quiet', 'live mode: print no events (only the summary)')
    .option('--no-color', 'live mode: no colours (also NO_COLOR=1; colours only on a terminal)')
    .action(async (words: string[], o: Record<string, unknown>) => {
      done(await run({
        filter: words.join(' '),
        numEvents: o.numevents as number | undefined,
        durationSec: o.M as number | undefined,
        verbose: o.verbose === true,
        debug: o.debug === true,
        bufferFormat: bufferFormat(o),
        quiet: o.quiet === true,
        format: typeof o.print === 'string' ? unescapeSysdigFormat(Buffer.from(o.print, 'utf8').toString('latin1')) : undefined,
        json: o.json === true,
        timeFormat: o.timetype as string | undefined,
        snaplen: o.snaplen as number | undefined,
        color: o.color === false ? false : undefined,
      }));
    });
}
