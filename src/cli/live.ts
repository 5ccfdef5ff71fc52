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
import { ParamRenderer } from '../format/evtinfo';
import { DefaultLineFormatter } from '../format/line';
import { Template } from '../format/template';
import { ColorLineFormatter, SYSDIG_RESET, colorEnabled } from '../format/colors';
import { Out } from '../util/out';
import { InputError } from '../util/errors';
import { EVENTS } from '../event/generated/events';
import type { EventView } from '../event/view';
import { fieldRegistry, setParamRenderer, setOutputTimeFormat, observeEvent } from '../filter/fields/registry';
import { buildFilter } from './replay';
import { ContainerSetting, addContainerOptions, containerOptionsFrom, openContainerManager, startedWithin } from '../container/live';
import type { SessionOptions } from '../rules';
import type { OutputManager, OutputReport } from '../output/manager';
import { lazy } from '../util/lazy';
import { type EventOutputOptions, eventOutputOptionsFrom } from './event-output';
import { addRulesOptions, applyFalcoConfig, rulesOptionsFrom } from './rules';
import type { DropsSetup } from '../rules/event-drops';
import { AlertCapture } from '../capture/alert-window';
import { snapshotState } from '../capture/snapshot';
import { parseDriver, probeOptions } from './capture';
import type { Driver } from '../capture/native';

/** rules (and YAML), alert outputs and alert shaping load only with -r */
const rulesModule = lazy(() => require('../rules') as typeof import('../rules'));
const outputManager = lazy(() => require('../output/manager') as typeof import('../output/manager'));
const alertModule = lazy(() => require('../output/alert') as typeof import('../output/alert'));
const dropsModule = lazy(() => require('../rules/event-drops') as typeof import('../rules/event-drops'));

export interface LiveOptions extends EventOutputOptions {
  filter: string;
  snaplen?: number;
  /** colour the default line: undefined = when stdout is a TTY */
  color?: boolean;
  /** output fd (default 1) */
  fd?: number;
  /** no summary line */
  noSummary?: boolean;
  /** -r: judge events with Falco rules and print alerts instead of events */
  rules?: SessionOptions;
  /** --capture-on-alert DIR (needs -r): write a trace around each alert */
  captureOnAlert?: { dir: string; beforeSec?: number; afterSec?: number; maxFiles?: number; maxMB?: number };
  /** --driver: ebpf, kmod or auto (default) */
  driver?: Driver;
  /** container runtimes to query (false: none; default: all, none with a test probe) */
  containers?: ContainerSetting;
  /** alert destinations with -r (--output); alerts go to stdout when absent */
  outputs?: OutputManager;
  /** with rules: syscall event drop monitoring (-c's syscall_event_drops, else falco.yaml's defaults) */
  drops?: DropsSetup;
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
  const rulesSession = opts.rules ? rulesModule().RulesSession.load(opts.rules) : null;
  if (opts.captureOnAlert && rulesSession === null) throw new InputError('--capture-on-alert needs rules (-r)');
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

  const popts = probeOptions(opts, kernelEventTypes(filter !== null && rulesSession === null ? filter.eventTypes : null));
  const probe = opts.openProbe ? opts.openProbe(popts) : openLiveProbe(popts);
  const out = new Out(fd);
  let counted = 0;
  /** events that passed the filter (with rules: the events judged) */
  let judged = 0;
  let exitCode = 0;
  // Drop monitoring with rules, on the probe's counters (Falco's syscall_evt_drop_mgr)
  let curEv: EventView | null = null;
  const drops = rulesSession !== null && opts.drops !== undefined ? dropsModule().dropMonitorFor(opts.drops, {
    emit: (a) => {
      if (opts.outputs !== undefined) opts.outputs.emit(a);
      else if (print && !out.closed) out.line(Buffer.from(rulesSession.config.jsonOutput ? alertModule().alertToJson(a) : a.output, 'utf8').toString('latin1'));
    },
    current: () => curEv, json: rulesSession.config.jsonOutput, ebpf: opts.driver !== 'kmod',
  }) : null;
  const probeCounters = () => {
    const st = probe.stats();
    return { events: st.seen, drops: st.droppedRingFull + st.droppedOther, dropsBuffer: st.droppedRingFull };
  };
  const limit = opts.numEvents ?? Infinity;
  let result;
  let decoder: EventDecoder;
  let alertCap: AlertCapture | null = null;
  const cm = openContainerManager(opts.containers, opts.openProbe !== undefined);
  try {
    await startedWithin(cm, 500);
    state.loadSection(opts.snapshot ? opts.snapshot() : snapshotProc());
    cm?.attachTable(state.containers);
    if (opts.captureOnAlert) {
      const c = opts.captureOnAlert;
      alertCap = new AlertCapture({
        dir: c.dir, beforeSec: c.beforeSec, afterSec: c.afterSec, maxFiles: c.maxFiles,
        maxBytes: c.maxMB !== undefined ? c.maxMB * 1e6 : undefined, snapshot: () => snapshotState(state, null),
      });
    }
    const cap = alertCap;
    decoder = new EventDecoder((ev: EventView) => {
      observeEvent(state, ev);
      state.processEvent(ev);
      cm?.noteThread(state.cur.thread);
      if (cap !== null) cap.onEvent(ev);
      if (state.cur.hidden) return;
      if (drops !== null) {
        curEv = ev;
        // the exit action: stop with status 1, as Falco does
        if (!drops.process(ev.tsApprox(), probeCounters)) { exitCode = 1; return false; }
      }
      if (filter !== null && !filter.match(ev, state)) return;
      judged++;
      if (rulesSession !== null) {
        // rules mode: alerts instead of events (-n counts alerts); each alert may start a capture
        if (opts.outputs !== undefined) {
          const outputs = opts.outputs;
          counted += rulesSession.processJson(ev, state, (j, r) => {
            outputs.emit(alertModule().alertFromJson(j));
            if (cap !== null) cap.onAlert(r.name, ev);
          });
        } else {
          counted += rulesSession.process(ev, state, (l, r) => {
            if (print && !out.closed) out.line(l);
            if (cap !== null) cap.onAlert(r.name, ev);
          });
        }
        if (counted >= limit) return false;
        return;
      }
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
    }, { durationSec: opts.durationSec, onTick: () => { if (cap !== null) cap.tick(); } });
    result = await pump.run();
  } finally {
    try { probe.close(); } catch { /* already closed */ }
    cm?.stop();
    if (alertCap !== null) alertCap.close();
    if (color) out.write(SYSDIG_RESET);
    out.flush();
    if (opts.outputs !== undefined) {
      const report = await opts.outputs.close(5000);
      if (!opts.noSummary) process.stderr.write(formatOutputReport(report));
    }
  }
  if (!opts.noSummary) {
    // rules mode: the events judged and the alerts they raised (-n counted alerts)
    const counts = rulesSession !== null ? { events: judged, alerts: counted } : { events: counted };
    process.stderr.write(formatSummary({ ...counts, stats: result.stats, durationMs: result.durationMs }) + '\n');
  }
  if (alertCap !== null && !opts.noSummary) {
    process.stderr.write(`falco-ts: ${alertCap.files.length} alert capture(s) written${alertCap.files.length > 0 ? ': ' + alertCap.files.join(', ') : ''}\n`);
  }
  if (decoder.unknownEvents > 0) {
    process.stderr.write(`falco-ts: the probe sent ${decoder.unknownEvents} events of unknown type (skipped)\n`);
  }
  if (drops !== null && !opts.noSummary) process.stderr.write(drops.statsText());
  return exitCode;
}

// ---------------------------------------------------------------------------------------------
// CLI: the program's default action

/** Without -c, a live rules session monitors drops as falco.yaml ships: log and alert, threshold 0.1. */
function liveDropDefaults(): DropsSetup {
  const { defaultDropsConfig } = require('../rules/falco-config') as typeof import('../rules/falco-config');
  const { stderrLogger, LOG_INFO } = require('../output/falco-logger') as typeof import('../output/falco-logger');
  return { config: defaultDropsConfig(), logger: stderrLogger(true, LOG_INFO) };
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
  addRulesOptions(program);
  addContainerOptions(program);
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
    .option('--capture-on-alert <dir>', 'live mode with -r: when a rule fires, write a trace of the seconds around the alert (with the state to replay it) into DIR')
    .option('--before <secs>', 'with --capture-on-alert: seconds kept before the alert (default 5)', count('--before'))
    .option('--after <secs>', 'with --capture-on-alert: seconds written after the alert (default 5)', count('--after'))
    .option('--capture-max-files <n>', 'with --capture-on-alert: capture files kept in DIR, oldest removed (default 20)', count('--capture-max-files'))
    .option('--capture-max-mb <mb>', 'with --capture-on-alert: megabytes of capture files kept in DIR (default 100)', count('--capture-max-mb'))
    .option('--driver <kind>', 'live mode: kernel probe: ebpf, kmod or auto (default)', parseDriver)
    .option('--output <dest>', 'live mode with -r: where alerts go, repeatable: stdout (default), file:PATH, program:CMD, http(s)://URL (falcosidekick), syslog', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .action(async (words: string[], o: Record<string, unknown>) => {
      const configDrops = applyFalcoConfig(o); // (before the rules and outputs are read from o)
      done(await run({
        drops: configDrops ?? (rulesOptionsFrom(o) !== undefined ? liveDropDefaults() : undefined),
        filter: words.join(' '),
        ...eventOutputOptionsFrom(o),
        snaplen: o.snaplen as number | undefined,
        color: o.color === false ? false : undefined,
        rules: rulesOptionsFrom(o),
        containers: containerOptionsFrom(o),
        captureOnAlert: typeof o.captureOnAlert === 'string' ? {
          dir: o.captureOnAlert, beforeSec: o.before as number | undefined, afterSec: o.after as number | undefined,
          maxFiles: o.captureMaxFiles as number | undefined, maxMB: o.captureMaxMb as number | undefined,
        } : undefined,
        driver: o.driver as Driver | undefined,
        // without --output, alerts take the live path to stdout (flushed after every batch)
        outputs: rulesOptionsFrom(o) === undefined || o.output === undefined ? undefined : outputManager().OutputManager.create(o.output as string[], {
          json: o.json === true || ((o.option as string[] | undefined) ?? []).includes('json_output=true'),
          color: o.color === false ? false : undefined,
        }),
      }));
    });
}

/** One line per alert output for the end of a live run: nothing lost silently. */
function formatOutputReport(r: OutputReport): string {
  return r.outputs.map((o) => `falco-ts: output ${o.name}: ${o.sent} sent, ${o.retried} retried, ${o.failed} failed, ${o.dropped} dropped\n`).join('');
}
