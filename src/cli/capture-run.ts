/**
 * `falco-ts capture`: the implementation behind cli/capture.ts's command, loaded on first use
 * (the probe, /proc snapshot, rotation and live-source modules are not needed by replay).
 */
import { snapshotProc } from '../capture/proc-snapshot';
import { snapshotState } from '../state/snapshot';
import { DF_STATE_ONLY } from '../scap/writer';
import { SubsetWriter, isStateful } from '../scap/subset-writer';
import { RotatingWriter, checkRotation } from '../capture/rotation';
import {
  EventDecoder,
  LivePump,
  formatSummary,
  frameEnds,
  kernelEventTypes,
  openLiveProbe,
} from '../capture/live-source';
import type { ProbeOptions } from '../capture/native-api';
import { State } from '../state/state';
import '../state/parsers';
import { ParamRenderer } from '../params/evtinfo';
import { setParamRenderer } from '../filter/fields/registry';
import { EventStep } from '../pipeline/event-step';
import { buildFilter } from '../pipeline/start';
import { InputError } from '../util/errors';
import { dropPrivileges } from '../util/privileges';
import { ContainerRecorder, openContainerManager, startedWithin } from '../container-runtime/live';
import type { CaptureOptions } from './capture';
import { probeOptions, pushdownOptions } from '../capture/probe-options';

export async function capture(opts: CaptureOptions): Promise<number> {
  const rotation = checkRotation({
    base: opts.write,
    compression: opts.compression,
    rolloverMB: opts.rolloverMB,
    durationSec: opts.rotateSec,
    fileLimit: opts.fileLimit,
    eventLimit: opts.eventLimit,
  });
  if (opts.snaplen !== undefined && (!Number.isInteger(opts.snaplen) || opts.snaplen < 0 || opts.snaplen > 65535)) {
    throw new InputError('-s: expected a snaplen between 0 and 65535');
  }
  const filter = buildFilter(opts.filter);
  const popts: ProbeOptions & { compress?: 'lz4' } = probeOptions(
    opts,
    kernelEventTypes(filter !== null ? filter.eventTypes : null),
  );
  Object.assign(popts, pushdownOptions(filter !== null ? filter.expanded : null));
  // Unfiltered LZ4 capture without event-count limits: the addon compresses the batches on its
  // native thread and JS appends the frames (event bytes never touched in JS).
  if (filter === null && opts.compression === 'lz4' && opts.numEvents === undefined && opts.eventLimit === undefined)
    popts.compress = 'lz4';
  const probe = opts.openProbe ? opts.openProbe(popts) : openLiveProbe(popts);

  const limit = opts.numEvents ?? Infinity;
  let events = 0;
  let rot: RotatingWriter | null = null;
  /** container events: the known ones at each file's start, new ones as they are learnt */
  const recordContainers = (r: RotatingWriter) => {
    if (cm === null) return;
    const rec = new ContainerRecorder(cm, () => {
      try {
        return r.writer;
      } catch {
        return null;
      }
    });
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
    // the kernel name filter starts from the names the state starts from
    if (popts.kernelNames !== undefined)
      probe.seedNames?.(
        initial.procs.map((p) => p.tid),
        initial.procs.map((p) => p.comm),
      );
    if (opts.dropUser !== undefined) {
      // tcpdump -Z: the probe is attached and /proc read; no output file is open yet
      const ids = dropPrivileges(opts.dropUser);
      if (!opts.quiet)
        process.stderr.write(`falco-ts: dropped privileges to ${ids.name} (uid ${ids.uid}, gid ${ids.gid})\n`);
    }
    let first = true;
    let onBatch: (b: Buffer) => boolean;

    if (filter === null) {
      rot = new RotatingWriter(rotation, () => {
        if (first) {
          first = false;
          return initial;
        }
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
        if (first) {
          first = false;
          return initial;
        }
        return snapshotState(state, initial);
      });
      recordContainers(rot);
      rot.open();
      const r = rot;
      const subset = new SubsetWriter();
      const step = new EventStep(state, {
        updated: cm === null ? undefined : () => cm.noteThread(state.cur.thread),
        // hidden events still change the state a reader rebuilds: keep the stateful ones
        hidden: (ev) => {
          if (isStateful(ev.type)) r.writer.writeEvent(ev, ev.dumpFlags | DF_STATE_ONLY);
        },
        filter,
        rejected: (ev) => subset.unmatched(r.writer, ev),
        accepted: (ev) => {
          subset.matched(r.writer, ev);
          events++;
          r.noteEvents(1);
          if (events >= limit) return false;
          return !r.due() || r.maybeRotate();
        },
      });
      decoder = new EventDecoder(step.event);
      const d = decoder;
      onBatch = (b) => d.feed(b) && !step.stopped;
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
    try {
      probe.close();
    } catch {
      /* already closed */
    }
    cm?.stop();
    if (rot !== null) rot.close();
  }

  if (!opts.quiet) {
    process.stderr.write(
      formatSummary({
        events,
        stats: result.stats,
        bytesWritten: rot.bytesWritten,
        files: [...new Set(rot.files)],
        durationMs: result.durationMs,
      }) + '\n',
    );
    if (opts.compression === 'lz4') process.stderr.write(lz4Hint(rot.files[0] ?? opts.write));
  }
  if (decoder !== null && decoder.unknownEvents > 0) {
    process.stderr.write(`falco-ts: the probe sent ${decoder.unknownEvents} events of unknown type (skipped)\n`);
  }
  return 0;
}

/** LZ4 is our default (fast), but sysdig and Falco read only gzip or raw scap: say how to get one. */
function lz4Hint(file: string): string {
  const out = file.replace(/(\.scap)?$/, '.gz.scap');
  return `falco-ts: ${file} is LZ4-compressed, which sysdig and Falco do not read: capture with -z gzip, or run 'falco-ts convert ${file} ${out} -z gzip'\n`;
}
