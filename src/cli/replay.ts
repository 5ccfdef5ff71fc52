/**
 * `falco-ts replay FILE... [filter]`: source (trace files) → state → filter → format → sinks
 * (terminal lines, JSON, and/or a trace writer). The CLI module only wires these stages.
 *
 * Signals: SIGINT/SIGTERM stop reading (pending alerts are delivered, the summary printed,
 * exit 0); SIGUSR1 reopens the file outputs. A reader that closes stdout (`| head`) ends the
 * run quietly when nothing else takes the events.
 */
import * as fs from 'node:fs';
import type { SectionMetadata } from '../scap/metadata';
import type { ReadProgress } from '../scap/file-source';
import '../state/parsers';
import { DefaultLineFormatter } from '../format/line';
import { Template } from '../format/template';
import { Out } from '../util/out';
import type { EventView } from '../event/view';
import { fieldRegistry } from '../filter/fields/registry';
import { INTERNAL_EVENT } from '../event/categories';
import { EventStep } from '../pipeline/event-step';
import { startPipeline } from '../pipeline/start';
import { runTraces } from '../pipeline/trace-source';
import { runPluginSources } from '../pipeline/plugin-source';
import type { ActivePlugin } from '../plugins/registry';
import type { FieldRegistry } from '../filter/field-api';
import type { SinkCompression } from '../scap/compressed-sink';
import type { ReplayWriter } from '../pipeline/replay-writer';
import { ColorLineFormatter, SYSDIG_RESET } from '../format/colors';
import { ReplayUi } from '../ui/replay-ui';
import type { OutputManager } from '../output/manager';
import { onReopenSignal, StopRequest } from '../util/process-signals';
import { EXIT_ALERTS_LOST } from '../util/exit-codes';
import type { SessionOptions } from '../rules';
import { lazy } from '../util/lazy';
import type { EventOutputOptions } from './event-output';
import type { DropsSetup } from '../drops/event-drops';
import type { ServeConfig } from '../webserver/serve';

export interface ReplayOptions extends EventOutputOptions {
  files: string[];
  filter: string;
  /** -w OUT and its compression */
  write?: string;
  compression?: SinkCompression;
  /**
   * --sysdig-filter-order: filter like sysdig 0.29.3, before parsing the events that do not
   * modify state (a rejected enter then unpairs its exit), instead of after (current libs).
   */
  sysdigFilterOrder?: boolean;
  /** -r rules (issue 5): judge events with Falco rules and print alerts instead of events */
  rules?: SessionOptions;
  /** sysdig's TTY colours for the default line (the caller checked TTY, NO_COLOR, --no-color) */
  color?: boolean;
  /** progress bar on stderr (the caller checked that stderr is a TTY) */
  progress?: boolean;
  /** end-of-run summary on stderr */
  summary?: boolean;
  /** alert outputs: the replay yields to them between chunks and closes them at the end */
  outputs?: OutputManager;
  /** with rules: syscall event drop monitoring (Falco's syscall_event_drops, from -c) */
  drops?: DropsSetup;
  /** falco.yaml's webserver and metrics sections (-c, -o webserver.enabled=true) */
  serve?: ServeConfig;
  /** sysdig -d: the filter decides only what is printed (every event is counted and written) */
  displayFilter?: boolean;
  /** every event the filter let through (internal ones too, printed or not): sysdig -S counts them */
  seen?: (ev: EventView) => void;
  /** sysdig --unbuffered: stdout written after every line */
  unbuffered?: boolean;
  /** a progress hook per file instead of the bar (sysdig -P) */
  traceProgress?: (file: string) => ReadProgress | undefined;
  /** parser plugins: every event after the state saw it, before filters and rules */
  parse?: (ev: EventView) => void;
  /** the fields of the filter and -p (with plugins: their source's) */
  registry?: FieldRegistry;
  /** source plugins whose events follow the files' (falco.yaml's plugins:, the enabled sources) */
  pluginSources?: readonly ActivePlugin[];
}

/** rules (and YAML) and alert shaping load only with -r */
const alertModule = lazy(() => require('../alert/render') as typeof import('../alert/render'));
const dropsModule = lazy(() => require('../drops/event-drops') as typeof import('../drops/event-drops'));
const managerModule = lazy(() => require('../output/manager') as typeof import('../output/manager'));
/** the trace writer stack loads only with -w, the web server only when configured */
const writerModule = lazy(() => require('../pipeline/replay-writer') as typeof import('../pipeline/replay-writer'));
const serveModule = lazy(() => require('./serve-run') as typeof import('./serve-run'));

/** sysdig's default format, used for -j without -p (JSON needs field keys). */
const DEFAULT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

export async function replay(opts: ReplayOptions): Promise<number> {
  const cpu0 = process.cpuUsage();
  const out = new Out(1, opts.unbuffered ? 0 : undefined);
  const { state, params, filter: compiled, rulesSession } = startPipeline(opts);
  const filter = opts.displayFilter ? null : compiled;
  const shown = opts.displayFilter ? compiled : null;
  const oldOrder = filter !== null && opts.sysdigFilterOrder === true;
  if (oldOrder) state.earlyFilter = (ev) => filter.match(ev, state);
  /** 0.29.3 filtered state-modifying events before set_fdinfo_name_changed: it saw false */
  const lateMatch = (ev: EventView): boolean => {
    if (state.earlyResult >= 0) return state.earlyResult === 1;
    const changed = state.cur.fdNameChanged;
    state.cur.fdNameChanged = false;
    const m = filter!.match(ev, state);
    state.cur.fdNameChanged = changed;
    return m;
  };
  // (-t other than h: the default line's time is %evt.outputtime, which the template renders)
  const template =
    opts.format !== undefined || opts.json || (opts.timeFormat !== undefined && opts.timeFormat !== 'h')
      ? Template.compile(opts.format ?? DEFAULT_FORMAT, opts.registry ?? fieldRegistry)
      : null;
  const line =
    template === null
      ? opts.color
        ? new ColorLineFormatter(state, params)
        : new DefaultLineFormatter(state, params)
      : null;
  const json = opts.json === true;
  // sysdig -w implies -q
  const print = !opts.quiet && opts.write === undefined;
  // the bar shares the terminal with nothing: not drawn while events stream to the same TTY
  const ui = new ReplayUi({
    progress: opts.progress && !(print && process.stdout.isTTY === true),
    summary: opts.summary,
    outputs: opts.outputs,
    noColor: opts.color === false,
  });

  const writer: ReplayWriter | null =
    opts.write === undefined
      ? null
      : new (writerModule().ReplayWriter)(opts.write, opts.compression ?? 'lz4', filter !== null, state);

  let counted = 0;
  const limit = opts.numEvents ?? Infinity;
  const durNs = opts.durationSec !== undefined ? opts.durationSec * 1e9 : Infinity;
  let startNs = -1;
  let exit = 0;

  // Drop monitoring in rules mode: a trace has no driver counters, so only simulated drops count.
  let curEv: EventView | null = null;
  const drops =
    rulesSession !== null && opts.drops !== undefined
      ? dropsModule().dropMonitorFor(opts.drops, {
          emit: (a) => {
            if (opts.outputs !== undefined) opts.outputs.emit(a);
            else if (print && !out.closed)
              out.line(
                Buffer.from(alertModule().alertLine(a, json || rulesSession.config.jsonOutput), 'utf8').toString(
                  'latin1',
                ),
              );
          },
          current: () => curEv,
          json: rulesSession.config.jsonOutput,
          ebpf: false,
        })
      : null;
  const traceCounters = () => ({ events: ui.eventsRead, drops: 0, dropsBuffer: 0 });

  const onSection = writer === null ? undefined : (meta: SectionMetadata) => writer.section(meta);
  const writeEvent = (ev: EventView, matched: boolean) => {
    if (writer !== null) writer.event(ev, matched);
  };

  /** the uncoloured default line writes straight into out's buffer */
  const plainLine = line instanceof DefaultLineFormatter ? line : null;
  /**
   * -M: event time from the first event the loop gets (sysdig: after the filter, internal
   * events included; hidden and leading container events do not start it); the first event
   * past it ends the run unprinted.
   */
  const withinDuration = (ev: EventView): boolean => {
    if (durNs === Infinity) return true;
    if (startNs < 0) startNs = ev.tsApprox();
    else if (ev.tsApprox() - startNs >= durNs) return false;
    return true;
  };
  const printEvent = (ev: EventView): boolean => {
    if (!withinDuration(ev)) return false;
    counted++;
    opts.seen?.(ev);
    if (print && (opts.debug || !INTERNAL_EVENT[ev.type]) && (shown === null || shown.match(ev, state))) {
      // the reader left (`| head`): nothing else wants the events (-w does not print)
      if (out.closed) return false;
      if (plainLine !== null) plainLine.writeLine(ev, out);
      else if (template === null) out.line(line!.format(ev));
      else if (json) template.formatJsonInto(ev, state, out);
      else template.formatInto(ev, state, out);
    }
    return counted < limit;
  };
  /** after an alert: false once every destination's reader has left (stdout into `head`) */
  const alertsWanted = (): boolean => (opts.outputs !== undefined ? !opts.outputs.ended() : !(print && out.closed));
  const judge = (ev: EventView): boolean => {
    const r = rulesSession!;
    let n: number;
    if (opts.outputs !== undefined) {
      const outputs = opts.outputs;
      n = r.process(ev, state, (a) => outputs.emit(a));
    } else {
      n = r.process(ev, state, (a) => {
        if (print && !out.closed) out.line(alertModule().alertLineBytes(a, r.config.jsonOutput));
      });
    }
    counted += n;
    // -n counts alerts in rules mode, as in live mode
    return counted < limit && (n === 0 || alertsWanted());
  };
  const step = new EventStep(state, {
    section: onSection,
    updated: opts.parse,
    // (-M in rules mode ends the run at the first event past it, before the state sees it)
    arrived: rulesSession !== null && durNs !== Infinity ? withinDuration : undefined,
    hidden: (ev) => {
      // sinsp::open passes the leading container events through next(), filter included:
      // stateful fields (evt.deltatime) count them though nothing is printed
      if (state.cur.leading && filter !== null && rulesSession === null) filter.match(ev, state);
      writeEvent(ev, false);
    },
    gate:
      drops === null
        ? undefined
        : (ev) => {
            curEv = ev;
            // the exit action: stop with status 1, as Falco does
            if (drops.process(ev.tsApprox(), traceCounters)) return true;
            exit = 1;
            return false;
          },
    // rules mode: a filter, if given, selects the events the rules judge
    filter: filter === null ? undefined : oldOrder && rulesSession === null ? { match: lateMatch } : filter,
    rejected: rulesSession === null && writer !== null ? (ev) => writeEvent(ev, false) : undefined,
    accepted:
      rulesSession !== null
        ? judge
        : (ev) => {
            writeEvent(ev, true);
            return printEvent(ev);
          },
  });
  ui.countFrom(() => step.events);

  // SIGINT/SIGTERM: the step refuses the next event, the reader stops, the rest runs as at the end
  const stop = new StopRequest((sig) => {
    step.stopped = true;
    // at once: the user sees why the run may still wait (alerts pending in the outputs)
    process.stderr.write(`falco-ts: ${sig} received: stopping after ${ui.eventsRead} events\n`);
  });
  const offReopen = onReopenSignal(() => opts.outputs?.reopen() ?? 0);
  // the web server answers between chunks: each chunk yields to the event loop
  const serving =
    opts.serve === undefined
      ? null
      : await serveModule().startServing(opts.serve, {
          engineName: 'savefile',
          eventsProcessed: () => ui.eventsRead,
          state,
          rulesSession,
          rulesFiles: opts.rules?.rules ?? [],
          outputs: opts.outputs,
          out: print ? out : null,
          json,
        });
  const yieldFor = (p: ReturnType<typeof ui.progressFor>): ReturnType<typeof ui.progressFor> =>
    serving === null
      ? p
      : {
          onProgress: (n, size) => (p === undefined ? undefined : p.onProgress(n, size)) ?? serveModule().yieldToLoop(),
        };
  try {
    await runTraces(step, opts.files, {
      progressFor: (file) => yieldFor(opts.traceProgress?.(file) ?? ui.progressFor(file)),
      fileDone: (file, res) => {
        ui.fileDone(res.stats);
        if (res.stats.unknownEvents > 0) {
          out.flush();
          process.stderr.write(
            `falco-ts: ${file}: skipped ${res.stats.unknownEvents} events of unknown type (first: code ${res.stats.firstUnknownCode} at byte ${res.stats.firstUnknownOffset})\n`,
          );
          exit = 2;
        }
      },
    });
    if (opts.pluginSources !== undefined && !step.stopped) {
      // (no trace before them: -w starts its file with the state as it is)
      if (writer !== null && opts.files.length === 0) writer.startWithState();
      await runPluginSources(step, opts.pluginSources);
    }
  } catch (e) {
    stop.dispose();
    offReopen();
    throw e;
  } finally {
    if (serving !== null) await serving.close();
    if (opts.color && line !== null && print) out.write(SYSDIG_RESET);
    out.flush();
    if (writer !== null) writer.close();
  }
  // (a signal while the outputs deliver what is pending ends the run as at its end: exit 0)
  const report = await ui.finish(counted, opts.files.join(', '));
  stop.dispose();
  offReopen();
  if (drops !== null) process.stderr.write(drops.statsText());
  if (report !== undefined) {
    // nothing lost silently: one line, and a status of its own unless the run failed otherwise
    const lost = managerModule().lossLine([report]);
    if (lost !== null) {
      process.stderr.write(lost + '\n');
      if (exit === 0) exit = EXIT_ALERTS_LOST;
    }
  }
  if (opts.verbose) {
    // sysdig -v: capture statistics on stderr (a file has no driver counters); its elapsed
    // time is the CPU time clock() measured around the capture loop.
    const cpu = process.cpuUsage(cpu0);
    const secs = (cpu.user + cpu.system) / 1e6;
    const eps = secs > 0 ? (counted / secs).toFixed(2) : counted > 0 ? 'inf' : '-nan';
    process.stderr.write(
      `Driver Events:0\nDriver Drops:0\nSuppressed by Comm:0\n` +
        `Elapsed time: ${secs.toFixed(3)}, Captured Events: ${counted}, ${eps} eps\n`,
    );
  }
  return exit;
}

/** Splits positional args into leading existing files and the filter words after them. */
export function splitFilesAndFilter(args: string[], firstIsFile = true): { files: string[]; filter: string } {
  let i = 0;
  while (i < args.length && ((i === 0 && firstIsFile) || isFile(args[i]))) i++;
  return { files: args.slice(0, i), filter: args.slice(i).join(' ') };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
