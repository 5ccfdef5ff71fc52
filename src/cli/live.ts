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
import type { NativeProbe, ProbeOptions, Driver } from '../capture/native-api';
import type { SectionMetadata } from '../scap/metadata';
import { InputError } from '../util/errors';
import { ContainerSetting, addContainerOptions, containerOptionsFrom } from '../container-runtime/live';
import type { SessionOptions } from '../rules';
import type { OutputManager } from '../output/manager';
import { lazy } from '../util/lazy';
import { type EventOutputOptions, eventOutputOptionsFrom } from './event-output';
import { addRulesOptions, applyFalcoConfig, rulesOptionsFrom } from './rules';
import type { DropsSetup } from '../drops/event-drops';
import type { ServeConfig } from '../webserver/serve';
import { parseDriver } from './capture';

/** alert outputs load only with -r and --output; the live pipeline on first use */
const outputManager = lazy(() => require('../output/manager') as typeof import('../output/manager'));
const liveRun = lazy(() => require('./live-run') as typeof import('./live-run'));
const commandGuess = lazy(() => require('./command-guess') as typeof import('./command-guess'));

export interface LiveOptions extends EventOutputOptions {
  filter: string;
  /** falco.yaml's webserver and metrics sections (-c, -o webserver.enabled=true) */
  serve?: ServeConfig;
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
  captureOnAlert?: {
    dir: string;
    beforeSec?: number;
    afterSec?: number;
    maxFiles?: number;
    maxMB?: number;
    /** falco.yaml's capture.mode rules: only the alerts of rules that say `capture: true` */
    captureRulesOnly?: boolean;
  };
  /** --driver: ebpf, kmod or auto (default) */
  driver?: Driver;
  /** container runtimes to query (false: none; default: all, none with a test probe) */
  containers?: ContainerSetting;
  /** alert destinations with -r (--output); alerts go to stdout when absent */
  outputs?: OutputManager;
  /** with rules: syscall event drop monitoring (-c's syscall_event_drops, else falco.yaml's defaults) */
  drops?: DropsSetup;
  /**
   * SIGHUP with rules: what the run would start with now (the -c file and rules files read
   * again); throws InputError for a bad configuration. The drop monitoring is kept.
   */
  reload?: () => LiveReload;
  /** falco.yaml's watch_config_files: a change of one of these files reloads as SIGHUP does */
  watchFiles?: readonly string[];
  /** tests: the probe and the initial state */
  openProbe?: (opts: ProbeOptions) => NativeProbe;
  snapshot?: () => SectionMetadata;
}

export interface LiveReload {
  rules: SessionOptions;
  /** the alert outputs: their setup key (OutputManager.setupKey) and a builder; undefined: stdout */
  outputs?: { setup: string; create: () => OutputManager };
}

/** Runs live mode (the implementation loads on first use: other commands do not pay for it). */
export function live(opts: LiveOptions): Promise<number> {
  return liveRun().live(opts);
}

// ---------------------------------------------------------------------------------------------
// CLI: the program's default action

/** Without -c, a live rules session monitors drops as falco.yaml ships: log and alert, threshold 0.1. */
function liveDropDefaults(): DropsSetup {
  const { defaultDropsConfig } = require('../drops/drops-config') as typeof import('../drops/drops-config');
  const { stderrLogger, LOG_INFO } = require('../log/falco-logger') as typeof import('../log/falco-logger');
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
export function registerLive(
  program: Command,
  done: (code: number) => void,
  run: (o: LiveOptions) => Promise<number> = live,
): Command {
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
    .option(
      '--capture-on-alert <dir>',
      'live mode with -r: when a rule fires, write a trace of the seconds around the alert (with the state to replay it) into DIR',
    )
    .option('--before <secs>', 'with --capture-on-alert: seconds kept before the alert (default 5)', count('--before'))
    .option('--after <secs>', 'with --capture-on-alert: seconds written after the alert (default 5)', count('--after'))
    .option(
      '--capture-max-files <n>',
      'with --capture-on-alert: capture files kept in DIR, oldest removed (default 20)',
      count('--capture-max-files'),
    )
    .option(
      '--capture-max-mb <mb>',
      'with --capture-on-alert: megabytes of capture files kept in DIR (default 100)',
      count('--capture-max-mb'),
    )
    .option('--driver <kind>', 'live mode: kernel probe: ebpf, kmod or auto (default)', parseDriver)
    .option(
      '--output <dest>',
      'live mode with -r: where alerts go, repeatable: stdout (default), file:PATH, program:CMD, http(s)://URL (falcosidekick), syslog',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    )
    .action(async (words: string[], o: Record<string, unknown>) => {
      commandGuess().checkNotACommand(
        words,
        program.commands.map((c) => c.name()),
        program.name(),
      );
      const asTyped = { ...o }; // (applyFalcoConfig replaces o's rules, -o and outputs; a reload starts over)
      const configDrops = applyFalcoConfig(o); // (before the rules and outputs are read from o)
      done(
        await run({
          drops: configDrops ?? (rulesOptionsFrom(o) !== undefined ? liveDropDefaults() : undefined),
          serve: o.serve as ServeConfig | undefined,
          filter: words.join(' '),
          ...eventOutputOptionsFrom(o),
          snaplen: o.snaplen as number | undefined,
          color: o.color === false ? false : undefined,
          rules: rulesOptionsFrom(o),
          containers: containerOptionsFrom(o),
          captureOnAlert:
            typeof o.captureOnAlert === 'string'
              ? {
                  dir: o.captureOnAlert,
                  beforeSec: o.before as number | undefined,
                  afterSec: o.after as number | undefined,
                  maxFiles: o.captureMaxFiles as number | undefined,
                  maxMB: o.captureMaxMb as number | undefined,
                }
              : undefined,
          driver: o.driver as Driver | undefined,
          outputs: alertOutputs(o)?.create(),
          watchFiles: o.watchFiles as string[] | undefined,
          reload: () => {
            const again = { ...asTyped };
            applyFalcoConfig(again);
            const rules = rulesOptionsFrom(again);
            if (rules === undefined) throw new InputError('no rules files to load');
            return { rules, outputs: alertOutputs(again) };
          },
        }),
      );
    });
}

/** Without --output, alerts take the live path to stdout (flushed after every batch). */
function alertOutputs(o: Record<string, unknown>): LiveReload['outputs'] {
  if (rulesOptionsFrom(o) === undefined || o.output === undefined) return undefined;
  const specs = o.output as string[];
  const mo = {
    json: o.json === true || ((o.option as string[] | undefined) ?? []).includes('json_output=true'),
    color: o.color === false ? false : undefined,
  };
  const M = outputManager().OutputManager;
  return { setup: M.setupKey(specs, mo), create: () => M.create(specs, mo) };
}
