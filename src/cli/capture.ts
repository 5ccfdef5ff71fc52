/**
 * `falco-ts capture -w FILE [-z lz4|gzip|none] [-n N] [-M S] [-s SNAPLEN] [-C MB] [-G S]
 * [-W N] [-e N] [filter]`: live events into scap trace files.
 *
 *   probe (native addon) → batches of framed event blocks ─┬─ no filter: straight into the file
 *                                                          └─ filter: EventView → State →
 *                                                             filter → matching events (+ the
 *                                                             state-changing ones, hidden)
 *
 * Each file starts with a /proc snapshot (MI, IL, UL, PL, FDL blocks; a later file of a
 * rotation with a fresh one), is flushed at least every second, and is created 0600.
 * SIGINT/SIGTERM, -n, -M or -G/-W stop the capture; the probe is detached, its rings
 * drained, the file finalized, and a summary line goes to stderr.
 */
import { Command, Option } from 'commander';
import type { SinkCompression } from '../scap/compressed-sink';
import type { SectionMetadata } from '../scap/metadata';
import { InputError } from '../util/errors';
import { ContainerSetting, addContainerOptions, containerOptionsFrom } from '../container-runtime/live';
import { DRIVERS, type Driver, type NativeProbe, type ProbeOptions } from '../capture/native-api';
import { lazy } from '../util/lazy';

const captureRun = lazy(() => require('./capture-run') as typeof import('./capture-run'));
const captureExplain = lazy(() => require('./capture-explain') as typeof import('./capture-explain'));

export interface CaptureOptions {
  write: string;
  compression: SinkCompression;
  filter: string;
  numEvents?: number;
  durationSec?: number;
  snaplen?: number;
  rolloverMB?: number;
  rotateSec?: number;
  fileLimit?: number;
  eventLimit?: number;
  /** print no summary */
  quiet?: boolean;
  /** --driver: ebpf, kmod or auto (default) */
  driver?: Driver;
  /** tests: supplies the probe instead of the native addon */
  openProbe?: (opts: ProbeOptions) => NativeProbe;
  /** -Z USER: switch to this user once the probe is attached, before writing files */
  dropUser?: string;
  /** tests: the initial state instead of /proc */
  snapshot?: () => SectionMetadata;
  /** container runtimes to query (false: none; default: all, none with a test probe) */
  containers?: ContainerSetting;
}

/** Runs a capture (the implementation loads on first use: other commands do not pay for it). */
export function capture(opts: CaptureOptions): Promise<number> {
  return captureRun().capture(opts);
}

// ---------------------------------------------------------------------------------------------
// CLI

function count(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InputError(`${flag}: expected a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

function positive(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) === 0) throw new InputError(`${flag}: expected a positive integer, got '${v}'`);
    return Number(v);
  };
}

/** --driver */
export function parseDriver(v: string): Driver {
  if ((DRIVERS as readonly string[]).includes(v)) return v as Driver;
  throw new InputError(`--driver: expected ebpf, kmod or auto, got '${v}'`);
}

export function parseCompression(v: string): SinkCompression {
  if (v === 'lz4' || v === 'gzip' || v === 'none') return v;
  throw new InputError(`-z: expected lz4, gzip or none, got '${v}'`);
}

/** Adds the `capture` command; `done` receives its exit code. */
export function registerCapture(
  program: Command,
  done: (code: number) => void,
  run: (o: CaptureOptions) => Promise<number> = capture,
): Command {
  return addContainerOptions(program.command('capture'))
    .description('record live events (root) into scap trace files, as sysdig -w does')
    .argument('[filter...]', 'filter expression: only matching events are written (plus hidden state events)')
    .option('-w, --write <file>', 'trace file to write (created 0600; required unless --explain)')
    .option(
      '--explain',
      'print the kernel part of the filter (or of -r rules), the userspace part and the events kept for the state; capture nothing',
    )
    .option(
      '-r, --rules <file>',
      'with --explain: rules file (repeatable); the kernel part is the OR of their conditions',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addOption(new Option('-z, --compress <kind>', 'lz4 (default), gzip or none').argParser(parseCompression))
    .option('-n, --numevents <n>', 'stop after N events', count('-n'))
    .option('-M <secs>', 'stop after N seconds', count('-M'))
    .option('-s, --snaplen <len>', 'bytes of each I/O buffer captured (default 80)', count('-s'))
    .option(
      '-C <MB>',
      'start a new file when the current one exceeds MB x 10^6 bytes: FILE0, FILE1, ...',
      positive('-C'),
    )
    .option('-G <secs>', 'start a new file every N seconds (strftime patterns in FILE are expanded)', positive('-G'))
    .option('-W <num>', 'with -C or -e: a ring of N files; with -G: stop after N files', positive('-W'))
    .option('-e <num>', 'start a new file every N events', positive('-e'))
    .option('-q, --quiet', 'no summary line at the end')
    .option(
      '-Z, --drop-user <user>',
      "once the probe is attached, switch to this user before opening output files (as tcpdump -Z); FILE's directory must be writable by the user",
    )
    .addOption(
      new Option(
        '--driver <kind>',
        'kernel probe: ebpf, kmod (the falco_ts module, /dev/falco_ts) or auto (default: eBPF where the kernel supports it, else the module)',
      ).argParser(parseDriver),
    )
    .addHelpText(
      'after',
      `
Examples:
  falco-ts capture -w trace.scap                          # everything, LZ4, until Ctrl-C
  falco-ts capture -w trace.scap -z gzip -M 10            # 10 seconds, gzip (sysdig -r reads it)
  falco-ts capture -w trace.scap -C 100 -W 5              # ring of 5 files of ~100 MB
  falco-ts capture -w web.scap 'proc.name in (nginx, php-fpm)'
  falco-ts capture --explain 'proc.name in (nginx, php-fpm)'   # what the kernel would test`,
    )
    .action(async (words: string[], o: Record<string, unknown>) => {
      if (o.explain === true) {
        const write = (l: string): void => void process.stdout.write(l + '\n');
        done(captureExplain().explainCapture({ filter: words.join(' '), rules: (o.rules as string[]) ?? [], write }));
        return;
      }
      if (o.write === undefined) throw new InputError("required option '-w, --write <file>' not specified", 2);
      if (o.rules !== undefined) throw new InputError('capture: -r is only read with --explain', 2);
      done(
        await run({
          write: o.write as string,
          compression: (o.compress as SinkCompression | undefined) ?? 'lz4',
          filter: words.join(' '),
          numEvents: o.numevents as number | undefined,
          durationSec: o.M as number | undefined,
          snaplen: o.snaplen as number | undefined,
          rolloverMB: o.C as number | undefined,
          rotateSec: o.G as number | undefined,
          fileLimit: o.W as number | undefined,
          eventLimit: o.e as number | undefined,
          quiet: o.quiet === true,
          dropUser: o.dropUser as string | undefined,
          containers: containerOptionsFrom(o),
          driver: o.driver as Driver | undefined,
        }),
      );
    });
}
