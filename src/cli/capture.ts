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
import * as os from 'node:os';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { SinkCompression } from '../capture/compressed-sink';
import { snapshotProc } from '../capture/proc-snapshot';
import { snapshotState } from '../capture/snapshot';
import { DF_STATE_ONLY } from '../capture/scap-writer';
import { SubsetWriter, isStateful } from '../capture/subset-writer';
import { RotatingWriter, checkRotation } from '../capture/rotation';
import {
  EventDecoder, LivePump, formatSummary, frameEnds, kernelEventTypes, openLiveProbe,
} from '../capture/live-source';
import type { NativeProbe, ProbeOptions } from '../capture/native-api';
import type { SectionMetadata } from '../capture/metadata';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer } from '../format/evtinfo';
import type { EventView } from '../event/view';
import { setParamRenderer, observeEvent } from '../filter/fields/registry';
import { buildFilter } from './replay';
import { InputError } from '../util/errors';
import { dropPrivileges } from '../util/privileges';
import { ContainerRecorder, ContainerSetting, addContainerOptions, containerOptionsFrom, openContainerManager, startedWithin } from '../container/live';
import { DRIVERS, type Driver } from '../capture/native';

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

export function probeOptions(o: { snaplen?: number; driver?: Driver }, eventTypes: number[] | null): ProbeOptions & { driver?: Driver } {
  return {
    driver: o.driver,
    snaplen: o.snaplen ?? 80,
    eventTypes,
    ignorePids: [process.pid],
    verifierLogPath: path.join(os.tmpdir(), `falco-ts-verifier-${process.pid}.log`),
  };
}

export async function capture(opts: CaptureOptions): Promise<number> {
  const rotation = checkRotation({
    base: opts.write, compression: opts.compression, rolloverMB: opts.rolloverMB,
    durationSec: opts.rotateSec, fileLimit: opts.fileLimit, eventLimit: opts.eventLimit,
  });
  if (opts.snaplen !== undefined && (!Number.isInteger(opts.snaplen) || opts.snaplen < 0 || opts.snaplen > 65535)) {
    throw new InputError('-s: expected a snaplen between 0 and 65535');
  }
  const filter = buildFilter(opts.filter);
  const popts: ProbeOptions & { compress?: 'lz4' } = probeOptions(opts, kernelEventTypes(filter !== null ? filter.eventTypes : null));
  // Unfiltered LZ4 capture without event-count limits: the addon compresses the batches on its
  // native thread and JS appends the frames (event bytes never touched in JS).
  if (filter === null && opts.compression === 'lz4' && opts.numEvents === undefined && opts.eventLimit === undefined) popts.compress = 'lz4';
  const probe = opts.openProbe ? opts.openProbe(popts) : openLiveProbe(popts);

  const limit = opts.numEvents ?? Infinity;
  let events = 0;
  let rot: RotatingWriter | null = null;
  /** container events: the known ones at each file's start, new ones as they are learnt */
  const recordContainers = (r: RotatingWriter) => {
    if (cm === null) return;
    const rec = new ContainerRecorder(cm, () => { try { return r.writer; } catch { return null; } });
    r.onOpen = (w) => rec.fileStarted(w);
  };
  let decoder: EventDecoder | null = null;
  let result;
  const cm = openContainerManager(opts.containers, opts.openProbe !== undefined);
  try {
    await startedWithin(cm, 500);
    // The probe is attached first, then /proc is read: a process born in between shows up
    // in both, never in neither.
    const initial = opts.snapshot ? opts.snapshot() : snapshotProc();
    if (opts.dropUser !== undefined) {
      // tcpdump -Z: the probe is attached and /proc read; no output file is open yet
      const ids = dropPrivileges(opts.dropUser);
      if (!opts.quiet) process.stderr.write(`falco-ts: dropped privileges to ${ids.name} (uid ${ids.uid}, gid ${ids.gid})\n`);
    }
    let first = true;
    let onBatch: (b: Buffer) => boolean;

    if (filter === null) {
      rot = new RotatingWriter(rotation, () => {
        if (first) { first = false; return initial; }
        return opts.snapshot ? opts.snapshot() : snapshotProc();
      });
      recordContainers(rot);
      rot.open();
      const r = rot;
      let scratch: Uint32Array = new Uint32Array(4096);
      onBatch = (b) => {
        const z = b as Buffer & { lz4Events?: number; rawLength?: number };
        if (z.lz4Events !== undefined) {
          const more = r.writeLz4Blocks(b, z.rawLength!, z.lz4Events);
          events += z.lz4Events;
          return more;
        }
        const { ends, count } = frameEnds(b, limit - events, scratch);
        scratch = ends;
        const more = r.writeBlocks(b, ends, count);
        events += count;
        return more && events < limit;
      };
    } else {
      const state = new State();
      const params = new ParamRenderer(state, { maxBufLen: 80, bufferFormat: 'normal' });
      setParamRenderer(state, params);
      state.loadSection(initial);
      cm?.attachTable(state.containers);
      rot = new RotatingWriter(rotation, () => {
        if (first) { first = false; return initial; }
        return snapshotState(state, initial);
      });
      recordContainers(rot);
      rot.open();
      const r = rot;
      const subset = new SubsetWriter();
      let stopped = false;
      decoder = new EventDecoder((ev) => {
        observeEvent(state, ev);
        state.processEvent(ev);
        cm?.noteThread(state.cur.thread);
        const w = r.writer;
        if (state.cur.hidden) {
          if (isStateful(ev.type)) w.writeEvent(ev, ev.dumpFlags | DF_STATE_ONLY);
          return;
        }
        if (filter.match(ev, state)) {
          subset.matched(w, ev);
          events++;
          r.noteEvents(1);
          if (events >= limit) { stopped = true; return false; }
          if (r.due() && !r.maybeRotate()) { stopped = true; return false; }
        } else {
          subset.unmatched(w, ev);
        }
      });
      const d = decoder;
      onBatch = (b) => d.feed(b) && !stopped;
    }

    const r = rot;
    let lastFlush = Date.now();
    const pump = new LivePump(probe, onBatch, {
      durationSec: opts.durationSec,
      onTick: (now) => {
        if (!r.maybeRotate(now)) return false;
        if (now - lastFlush >= 1000) {
          r.flush();
          lastFlush = now;
        }
        return true;
      },
    });
    result = await pump.run();
  } finally {
    try { probe.close(); } catch { /* already closed */ }
    cm?.stop();
    if (rot !== null) rot.close();
  }

  if (!opts.quiet) {
    process.stderr.write(formatSummary({
      events, stats: result.stats, bytesWritten: rot.bytesWritten, files: [...new Set(rot.files)], durationMs: result.durationMs,
    }) + '\n');
  }
  if (decoder !== null && decoder.unknownEvents > 0) {
    process.stderr.write(`falco-ts: the probe sent ${decoder.unknownEvents} events of unknown type (skipped)\n`);
  }
  return 0;
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
export function registerCapture(program: Command, done: (code: number) => void, run: (o: CaptureOptions) => Promise<number> = capture): Command {
  return addContainerOptions(program
    .command('capture'))
    .description('record live events (root) into scap trace files, as sysdig -w does')
    .argument('[filter...]', 'filter expression: only matching events are written (plus hidden state events)')
    .requiredOption('-w, --write <file>', 'trace file to write (created 0600)')
    .addOption(new Option('-z, --compress <kind>', 'lz4 (default), gzip or none').argParser(parseCompression))
    .option('-n, --numevents <n>', 'stop after N events', count('-n'))
    .option('-M <secs>', 'stop after N seconds', count('-M'))
    .option('-s, --snaplen <len>', 'bytes of each I/O buffer captured (default 80)', count('-s'))
    .option('-C <MB>', 'start a new file when the current one exceeds MB x 10^6 bytes: FILE0, FILE1, ...', positive('-C'))
    .option('-G <secs>', 'start a new file every N seconds (strftime patterns in FILE are expanded)', positive('-G'))
    .option('-W <num>', 'with -C or -e: a ring of N files; with -G: stop after N files', positive('-W'))
    .option('-e <num>', 'start a new file every N events', positive('-e'))
    .option('-q, --quiet', 'no summary line at the end')
    .option('-Z, --drop-user <user>', 'once the probe is attached, switch to this user before opening output files (as tcpdump -Z); FILE\'s directory must be writable by the user')
    .addOption(new Option('--driver <kind>', 'kernel probe: ebpf, kmod (the falco_ts module, /dev/falco_ts) or auto (default: eBPF where the kernel supports it, else the module)').argParser(parseDriver))
    .addHelpText('after', `
Examples:
  falco-ts capture -w trace.scap                          # everything, LZ4, until Ctrl-C
  falco-ts capture -w trace.scap -z gzip -M 10            # 10 seconds, gzip (sysdig -r reads it)
  falco-ts capture -w trace.scap -C 100 -W 5              # ring of 5 files of ~100 MB
  falco-ts capture -w web.scap 'proc.name in (nginx, php-fpm)'`)
    .action(async (words: string[], o: Record<string, unknown>) => {
      done(await run({
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
      }));
    });
}
