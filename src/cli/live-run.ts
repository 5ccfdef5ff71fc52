/**
 * Live mode (`falco-ts [opts] [filter]`): the implementation behind cli/live.ts's command,
 * loaded on first use (the probe, /proc snapshot and alert-capture modules are not needed by
 * replay).
 *
 * Signals, as Falco: SIGINT/SIGTERM stop (the pump drains the rings, pending alerts are
 * delivered, exit 0); with rules, SIGHUP loads the rules and the -c file again and swaps them
 * in between two batches (bad new rules: one line on stderr, the old ones keep running);
 * SIGUSR1 reopens the file outputs. With falco.yaml's watch_config_files, a change of the
 * configuration or rules files reloads as SIGHUP does.
 */
import * as fs from 'node:fs';
import { snapshotProc } from '../capture/proc-snapshot';
import { EventDecoder, LivePump, formatSummary, kernelEventTypes, openLiveProbe } from '../capture/live-source';
import '../state/parsers';
import { DefaultLineFormatter } from '../format/line';
import { Template } from '../format/template';
import { ColorLineFormatter, SYSDIG_RESET, colorEnabled } from '../format/colors';
import { Out } from '../util/out';
import { InputError } from '../util/errors';
import type { EventView } from '../event/view';
import { fieldRegistry } from '../filter/fields/registry';
import { INTERNAL_EVENT } from '../event/categories';
import { EventStep } from '../pipeline/event-step';
import { startPipeline } from '../pipeline/start';
import { openContainerManager, startedWithin } from '../container-runtime/live';
import type { OutputManager, OutputReport } from '../output/manager';
import type { RulesSession } from '../rules';
import { onReopenSignal, onSignals } from '../util/process-signals';
import { EXIT_ALERTS_LOST } from '../util/exit-codes';
import { lazy } from '../util/lazy';
import { AlertCapture } from '../capture/alert-window';
import { snapshotState } from '../state/snapshot';
import { probeOptions, pushdownOptions } from '../capture/probe-options';
import type { LiveOptions } from './live';
import type { Serving } from '../webserver/serve';
import { startServing } from './serve-run';

/** alert shaping and drop monitoring load only with -r */
const alertModule = lazy(() => require('../alert/render') as typeof import('../alert/render'));
const dropsModule = lazy(() => require('../drops/event-drops') as typeof import('../drops/event-drops'));
const rulesModule = lazy(() => require('../rules') as typeof import('../rules'));
const managerModule = lazy(() => require('../output/manager') as typeof import('../output/manager'));

const DEFAULT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

export async function live(opts: LiveOptions): Promise<number> {
  const { state, params, filter, rulesSession } = startPipeline(opts);
  if (opts.captureOnAlert && rulesSession === null) throw new InputError('--capture-on-alert needs rules (-r)');
  if (opts.snaplen !== undefined && (!Number.isInteger(opts.snaplen) || opts.snaplen < 0 || opts.snaplen > 65535)) {
    throw new InputError('-s: expected a snaplen between 0 and 65535');
  }
  const template =
    opts.format !== undefined || opts.json ? Template.compile(opts.format ?? DEFAULT_FORMAT, fieldRegistry) : null;
  const fd = opts.fd ?? 1;
  const color = template === null && (opts.color ?? (fd === 1 && colorEnabled(process.stdout)));
  const line =
    template !== null ? null : color ? new ColorLineFormatter(state, params) : new DefaultLineFormatter(state, params);
  const json = opts.json === true;
  const print = !opts.quiet;

  const popts = probeOptions(
    opts,
    kernelEventTypes(filter !== null && rulesSession === null ? filter.eventTypes : null),
  );
  // the kernel name filter for a plain filter (rules may be reloaded, and alert captures want
  // their context: not for them)
  Object.assign(popts, pushdownOptions(filter !== null && rulesSession === null ? filter.expanded : null));
  const probe = opts.openProbe ? opts.openProbe(popts) : openLiveProbe(popts);
  const out = new Out(fd);
  let counted = 0;
  /** events that passed the filter (with rules: the events judged) */
  let judged = 0;
  let exitCode = 0;
  // what SIGHUP replaces: the rules and the outputs (those a reload retired still deliver)
  let session: RulesSession | null = rulesSession;
  let outputs = opts.outputs;
  const retired: Promise<OutputReport>[] = [];
  const reload = (cause = 'SIGHUP received') => {
    const next = reloadedSetup(opts, outputs, cause);
    if (next === null) return;
    session = next.session;
    if (next.outputs !== outputs) {
      if (outputs !== undefined) retired.push(outputs.close(5000));
      outputs = next.outputs;
    }
    process.stderr.write(
      `falco-ts: ${cause}: rules reloaded (${plural(next.session.loader.ruleset.rules.length, 'rule')})\n`,
    );
  };
  const offHup = rulesSession !== null && opts.reload !== undefined ? onSignals(['SIGHUP'], () => reload()) : null;
  const offWatch =
    rulesSession !== null && opts.reload !== undefined && (opts.watchFiles?.length ?? 0) > 0
      ? watchFiles(opts.watchFiles!, (f) => reload(`${f} changed`))
      : null;
  const offReopen = onReopenSignal(() => outputs?.reopen() ?? 0);
  // Drop monitoring with rules, on the probe's counters (Falco's syscall_evt_drop_mgr)
  let curEv: EventView | null = null;
  const drops =
    rulesSession !== null && opts.drops !== undefined
      ? dropsModule().dropMonitorFor(opts.drops, {
          emit: (a) => {
            if (outputs !== undefined) outputs.emit(a);
            else if (print && !out.closed)
              out.line(Buffer.from(alertModule().alertLine(a, session!.config.jsonOutput), 'utf8').toString('latin1'));
          },
          current: () => curEv,
          json: rulesSession.config.jsonOutput,
          ebpf: opts.driver !== 'kmod',
        })
      : null;
  const probeCounters = () => {
    const st = probe.stats();
    return { events: st.seen, drops: st.droppedRingFull + st.droppedOther, dropsBuffer: st.droppedRingFull };
  };
  const limit = opts.numEvents ?? Infinity;
  let result;
  let decoder: EventDecoder;
  let alertCap: AlertCapture | null = null;
  const cm = openContainerManager(opts.containers, opts.openProbe !== undefined);
  let serving: Serving | null = null;
  try {
    await startedWithin(cm, 500);
    const initial = opts.snapshot ? opts.snapshot() : snapshotProc();
    if (popts.kernelNames !== undefined)
      probe.seedNames?.(
        initial.procs.map((p) => p.tid),
        initial.procs.map((p) => p.comm),
      );
    state.loadSection(initial);
    cm?.attachTable(state.containers);
    // events before this line were not seen: say when watching starts (Falco logs its start too)
    process.stderr.write(readyLine(opts, rulesSession?.enabledRules));
    serving = await startServing(opts.serve, {
      engineName: opts.driver === 'kmod' ? 'kmod' : 'modern_bpf',
      eventsProcessed: () => probe.stats().delivered,
      kernel: probeCounters,
      state,
      rulesSession,
      rulesFiles: opts.rules?.rules ?? [],
      outputs: opts.outputs,
      out: print ? out : null,
      json,
    });
    if (opts.captureOnAlert) {
      const c = opts.captureOnAlert;
      alertCap = new AlertCapture({
        dir: c.dir,
        beforeSec: c.beforeSec,
        afterSec: c.afterSec,
        maxFiles: c.maxFiles,
        maxBytes: c.maxMB !== undefined ? c.maxMB * 1e6 : undefined,
        snapshot: () => snapshotState(state, null),
      });
    }
    const cap = alertCap;
    const rulesOnly = opts.captureOnAlert?.captureRulesOnly === true;
    const judge = (ev: EventView): boolean => {
      // rules mode: alerts instead of events (-n counts alerts); each alert may start a capture
      const r = session!;
      const o = outputs;
      counted += r.process(ev, state, (a) => {
        if (o !== undefined) o.emit(a);
        else if (print && !out.closed) out.line(alertModule().alertLineBytes(a, r.config.jsonOutput));
        if (cap !== null && (!rulesOnly || a.compiled.info.capture)) cap.onAlert(a.rule, ev);
      });
      return counted < limit;
    };
    const printEvent = (ev: EventView): boolean => {
      counted++;
      if (print && !out.closed && (opts.debug || !INTERNAL_EVENT[ev.type])) {
        let s: string | null;
        if (template !== null) s = json ? template.formatJson(ev, state) : template.format(ev, state);
        else s = line!.format(ev);
        if (s !== null) out.line(s);
      }
      return counted < limit;
    };
    const step = new EventStep(state, {
      updated:
        cm === null && cap === null
          ? undefined
          : (ev) => {
              cm?.noteThread(state.cur.thread);
              if (cap !== null) cap.onEvent(ev);
            },
      gate:
        drops === null
          ? undefined
          : (ev) => {
              curEv = ev;
              // the exit action: stop with status 1, as Falco does
              if (drops.process(ev.tsApprox(), probeCounters)) return true;
              exitCode = 1;
              return false;
            },
      filter: filter ?? undefined,
      accepted: (ev) => {
        judged++;
        return rulesSession !== null ? judge(ev) : printEvent(ev);
      },
    });
    decoder = new EventDecoder(step.event);
    const d = decoder;
    const pump = new LivePump(
      probe,
      (b) => {
        const more = d.feed(b);
        // live output: show what this batch printed now, not when 64 KiB have piled up
        out.flush();
        outputs?.flush(); // (the stdout output's own writer too)
        // (the reader left `| head` and nothing else takes alerts: stop)
        return more && !out.closed && outputs?.ended() !== true;
      },
      {
        durationSec: opts.durationSec,
        onTick: () => {
          if (cap !== null) cap.tick();
        },
      },
    );
    result = await pump.run();
  } finally {
    offHup?.();
    offWatch?.();
    if (serving !== null) await serving.close();
    try {
      probe.close();
    } catch {
      /* already closed */
    }
    cm?.stop();
    if (alertCap !== null) alertCap.close();
    if (color) out.write(SYSDIG_RESET);
    out.flush();
    const reports = await Promise.all([...retired, ...(outputs !== undefined ? [outputs.close(5000)] : [])]);
    offReopen();
    if (!opts.noSummary) for (const r of reports) process.stderr.write(formatOutputReport(r));
    // nothing lost silently: one line, and a status of its own unless the run failed otherwise
    const lost = reports.length > 0 ? managerModule().lossLine(reports) : null;
    if (lost !== null) {
      process.stderr.write(lost + '\n');
      if (exitCode === 0) exitCode = EXIT_ALERTS_LOST;
    }
  }
  if (!opts.noSummary) {
    // rules mode: the events judged and the alerts they raised (-n counted alerts)
    const counts = rulesSession !== null ? { events: judged, alerts: counted } : { events: counted };
    process.stderr.write(formatSummary({ ...counts, stats: result.stats, durationMs: result.durationMs }) + '\n');
  }
  if (alertCap !== null && !opts.noSummary) {
    process.stderr.write(
      `falco-ts: ${alertCap.files.length} alert capture(s) written${alertCap.files.length > 0 ? ': ' + alertCap.files.join(', ') : ''}\n`,
    );
  }
  if (decoder.unknownEvents > 0) {
    process.stderr.write(`falco-ts: the probe sent ${decoder.unknownEvents} events of unknown type (skipped)\n`);
  }
  if (drops !== null && !opts.noSummary) process.stderr.write(drops.statsText());
  return exitCode;
}

/**
 * SIGHUP: the rules (and the -c file) read again, and new outputs if the configuration changed
 * them; null, after one line on stderr saying why, when they cannot be loaded (the caller
 * keeps what runs).
 */
function reloadedSetup(
  opts: LiveOptions,
  current: OutputManager | undefined,
  cause: string,
): { session: RulesSession; outputs: OutputManager | undefined } | null {
  try {
    const r = opts.reload!();
    const session = rulesModule().RulesSession.load(r.rules);
    const outputs =
      (r.outputs?.setup ?? '') === (current?.setup ?? '')
        ? current
        : r.outputs !== undefined
          ? r.outputs.create()
          : undefined;
    return { session, outputs };
  } catch (e) {
    const why = e instanceof InputError ? firstErrorLine(e.message) : `internal error: ${(e as Error).message}`;
    process.stderr.write(`falco-ts: ${cause}: rules not reloaded, the previous ones keep running: ${why}\n`);
    return null;
  }
}

/**
 * Polls the files' status (a rename over the file, as editors and ConfigMaps do, counts too);
 * `changed` gets the file's name. Returns the stop function. The polls keep no process alive.
 */
function watchFiles(files: readonly string[], changed: (f: string) => void): () => void {
  const listeners = files.map((f) => {
    const l = (cur: fs.Stats, prev: fs.Stats): void => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) changed(f);
    };
    fs.watchFile(f, { interval: 500, persistent: false }, l);
    return [f, l] as const;
  });
  return () => {
    for (const [f, l] of listeners) fs.unwatchFile(f, l);
  };
}

/** The line of a (multi-line) load report that says what is wrong: `file:line:col: error: …`. */
function firstErrorLine(msg: string): string {
  const lines = msg.split('\n');
  return lines.find((l) => l.includes(': error: ')) ?? lines.find((l) => l.trim() !== '' && !l.endsWith(':')) ?? msg;
}

/** One line per alert output for the end of a live run: nothing lost silently. */
function formatOutputReport(r: OutputReport): string {
  return r.outputs
    .map(
      (o) =>
        `falco-ts: output ${o.name}: ${o.sent} sent, ${o.retried} retried, ${o.failed} failed, ${o.dropped} dropped\n`,
    )
    .join('');
}

/** One stderr line once the probe is attached and the state loaded. */
function readyLine(opts: LiveOptions, rules: number | undefined): string {
  const what =
    rules !== undefined ? `judging with ${rules} rules` : opts.filter.trim() !== '' ? 'filtering' : 'printing';
  return `falco-ts: live: probe attached (driver ${opts.driver ?? 'auto'}), ${what}; events from now on (Ctrl-C to stop)\n`;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
