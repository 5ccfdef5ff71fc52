/**
 * The live source: batches of framed scap event blocks from the native probe
 * (native-api.ts), pumped into either a raw consumer (the unfiltered `capture -w` fast path:
 * no decoding) or the same ScapReader event path replay uses (EventView → State → filter →
 * format/sinks).
 *
 * The pump calls probe.read() while batches are ready and probe.wait() when none is, yields
 * to the event loop regularly (signals, timers, stdout), and stops on SIGINT/SIGTERM, on the
 * -M wall-clock limit, or when the consumer says so (-n, rotation limit). At the end it
 * closes the probe (detach) and drains what is left in the rings, unless the consumer
 * stopped it (a count limit reached) or a second signal arrived.
 */
import * as fs from 'node:fs';
import { ScapReader } from '../scap/reader';
import * as B from '../scap/blocks';
import type { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { NativeError, NativeModule, NativeProbe, ProbeStats } from './native-api';
import { InputError, TraceFormatError } from '../util/errors';

// ---------------------------------------------------------------------------------------------
// environment checks

/** Message for a process that may not load BPF programs, or null if it may. */
export function privilegeProblem(): string | null {
  if (typeof process.geteuid === 'function' && process.geteuid() === 0) return null;
  // CAP_BPF (39) + CAP_PERFMON (38), or CAP_SYS_ADMIN (21) on older kernels
  let eff = 0n;
  try {
    const m = /^CapEff:\s*([0-9a-fA-F]+)/m.exec(fs.readFileSync('/proc/self/status', 'latin1'));
    if (m !== null) eff = BigInt('0x' + m[1]);
  } catch {
    /* treat as none */
  }
  const has = (bit: number) => ((eff >> BigInt(bit)) & 1n) === 1n;
  if ((has(39) && has(38)) || has(21)) return null;
  return 'live capture needs root (or CAP_BPF+CAP_PERFMON): run as root';
}

/**
 * The native module, loaded through src/capture/native (written against native-api.ts).
 * Missing module or addon → NativeError('not-built') with what to do.
 */
export function loadNativeModule(): NativeModule {
  let mod: { loadNative?: () => NativeModule };
  try {
    mod = require('./native') as { loadNative?: () => NativeModule };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND') {
      throw new NativeError(
        'live capture is not available: the native addon is not built (src/capture/native is missing)',
        'not-built',
      );
    }
    throw e;
  }
  if (typeof mod.loadNative !== 'function') {
    throw new NativeError('live capture is not available: src/capture/native has no loadNative()', 'not-built');
  }
  return mod.loadNative();
}

/** Privilege check, then the probe: every failure is one user-facing line (exit 1). */
export function openLiveProbe(opts: Parameters<NativeModule['openProbe']>[0]): NativeProbe {
  const priv = privilegeProblem();
  if (priv !== null) throw new InputError(priv, 1);
  try {
    return loadNativeModule().openProbe(opts);
  } catch (e) {
    if (e instanceof NativeError || (e instanceof Error && e.name === 'NativeError'))
      throw new InputError(e.message, 1);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// block framing helpers (no decoding)

/**
 * End offsets of the framed blocks in `buf` (at most `max`), checking the framing. Throws
 * TraceFormatError on a block that does not fit.
 */
export function frameEnds(buf: Buffer, max = Infinity, out?: Uint32Array): { ends: Uint32Array; count: number } {
  let ends = out ?? new Uint32Array(1024);
  let p = 0;
  let n = 0;
  const len = buf.length;
  while (p + 12 <= len && n < max) {
    const type = buf.readUInt32LE(p);
    const total = buf.readUInt32LE(p + 4);
    if (B.eventBlockKind(type) === 0 || total < 12 || p + total > len) {
      throw new TraceFormatError(
        `probe delivered a malformed event block (type 0x${type.toString(16)}, length ${total})`,
        p,
      );
    }
    p += total;
    if (n === ends.length) {
      const bigger = new Uint32Array(ends.length * 2);
      bigger.set(ends);
      ends = bigger;
    }
    ends[n++] = p;
  }
  if (n < max && p !== len) throw new TraceFormatError('probe delivered a batch with a cut block', p);
  return { ends, count: n };
}

/** A minimal section header (SHB 1.2) that puts a ScapReader straight into its event phase. */
function sectionHeader(): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32LE(B.SHB, 0);
  b.writeUInt32LE(28, 4);
  b.writeUInt32LE(B.BYTE_ORDER_MAGIC, 8);
  b.writeUInt16LE(1, 12);
  b.writeUInt16LE(2, 14);
  b.writeInt32LE(-1, 16);
  b.writeInt32LE(-1, 20);
  b.writeUInt32LE(28, 24);
  return b;
}

/**
 * Decodes batches through ScapReader's event path: one reused EventView per event, evt.num
 * counted from 1, unknown codes skipped and counted. The metadata is not read from the
 * stream: the caller loads its /proc snapshot into the state itself.
 */
export class EventDecoder {
  readonly reader: ScapReader;
  private stopped = false;

  constructor(onEvent: (ev: EventView) => boolean | void) {
    this.reader = new ScapReader({
      onSection: () => {
        /* empty: the snapshot is loaded by the caller */
      },
      onEvent: (ev) => {
        const r = onEvent(ev);
        if (r === false) this.stopped = true;
        return r;
      },
    });
    this.reader.feed(sectionHeader());
  }

  /** Decodes one batch; false once the handler asked to stop. */
  feed(batch: Buffer): boolean {
    if (this.stopped) return false;
    this.reader.feed(batch);
    return !this.stopped;
  }

  get events(): number {
    return this.reader.stats.events;
  }
  get unknownEvents(): number {
    return this.reader.stats.unknownEvents;
  }
}

// ---------------------------------------------------------------------------------------------
// the pump

export interface PumpOptions {
  /** -M: stop after this many seconds (wall clock) */
  durationSec?: number;
  /** stop on SIGINT/SIGTERM (default true) */
  signals?: boolean;
  /** called about every tickMs with the time: flushes, -G rotation (return false to stop) */
  onTick?: (nowMs: number) => boolean | void;
  tickMs?: number;
  /** longest wait for a batch, ms (default 100) */
  waitMs?: number;
}

export type StopReason = 'signal' | 'duration' | 'consumer' | 'error';

export interface PumpResult {
  reason: StopReason;
  batches: number;
  bytes: number;
  durationMs: number;
  stats: ProbeStats | null;
}

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export class LivePump {
  private stopReason: StopReason | null = null;
  private signalCount = 0;
  private batches = 0;
  private bytes = 0;

  /**
   * `onBatch` consumes one batch; it returns false to stop (its limit is reached: the rest
   * is not drained).
   */
  constructor(
    private readonly probe: NativeProbe,
    private readonly onBatch: (batch: Buffer) => boolean,
    private readonly opts: PumpOptions = {},
  ) {}

  /** Asks the pump to stop (as a signal would). */
  stop(reason: StopReason = 'signal'): void {
    if (this.stopReason === null) this.stopReason = reason;
  }

  async run(): Promise<PumpResult> {
    const t0 = Date.now();
    const onSignal = () => {
      this.signalCount++;
      this.stop('signal');
    };
    const useSignals = this.opts.signals !== false;
    if (useSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    let timer: NodeJS.Timeout | null = null;
    if (this.opts.durationSec !== undefined) {
      timer = setTimeout(() => this.stop('duration'), this.opts.durationSec * 1000);
    }
    const tickMs = this.opts.tickMs ?? 250;
    const waitMs = this.opts.waitMs ?? 100;
    let nextTick = t0 + tickMs;
    let lastYield = Date.now();
    let consumerStopped = false;
    let stats: ProbeStats | null;
    try {
      while (this.stopReason === null) {
        let b = this.probe.read();
        if (b === null) {
          b = await this.probe.wait(waitMs);
          lastYield = Date.now();
        }
        // a batch in hand is consumed even if a stop was asked meanwhile (it is drained data)
        if (b !== null && b.length > 0) {
          this.batches++;
          this.bytes += b.length;
          if (!this.onBatch(b)) {
            consumerStopped = true;
            this.stop('consumer');
            break;
          }
        }
        const now = Date.now();
        if (now >= nextTick) {
          nextTick = now + tickMs;
          if (this.opts.onTick && this.opts.onTick(now) === false) {
            consumerStopped = true;
            this.stop('consumer');
            break;
          }
        }
        if (now - lastYield >= 20) {
          await yieldNow();
          lastYield = Date.now();
        }
      }
    } catch (e) {
      this.stopReason = 'error';
      try {
        this.probe.close();
      } catch {
        /* keep the first error */
      }
      throw e;
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
    // detach, then drain what the rings still hold (events that happened before the stop)
    try {
      stats = this.probe.stats();
    } catch {
      stats = null;
    }
    this.probe.close();
    if (!consumerStopped) {
      for (let b = this.probe.read(); b !== null; b = this.probe.read()) {
        if (this.signalCount > 1) break; // a second Ctrl-C: stop draining
        if (b.length === 0) continue;
        this.batches++;
        this.bytes += b.length;
        if (!this.onBatch(b)) break;
      }
    }
    try {
      stats = this.probe.stats();
    } catch {
      /* closed probes may not report: keep the last */
    }
    if (useSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    return {
      reason: this.stopReason ?? 'signal',
      batches: this.batches,
      bytes: this.bytes,
      durationMs: Date.now() - t0,
      stats,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// summary

export interface LiveSummary {
  events: number;
  /** with rules: the alerts raised */
  alerts?: number;
  stats: ProbeStats | null;
  bytesWritten?: number;
  files?: string[];
  durationMs: number;
}

function human(n: number): string {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + ' GB';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + ' MB';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + ' kB';
  return n + ' B';
}

/** One line for stderr: events, drops (by reason), bytes written, duration. */
export function formatSummary(s: LiveSummary): string {
  const st = s.stats;
  const drops = st !== null ? st.droppedRingFull + st.droppedOther : 0;
  let line = `falco-ts: ${s.events} events`;
  if (s.alerts !== undefined) line += `, ${s.alerts} alert${s.alerts === 1 ? '' : 's'}`;
  if (st !== null) {
    line += `, ${drops} dropped`;
    if (drops > 0) line += ` (ring full ${st.droppedRingFull}, other ${st.droppedOther})`;
    if (st.seen > 0) line += `, ${st.seen} seen by the probe`;
    if (st.kernelDropped !== undefined && st.kernelDropped > 0)
      line += `, ${st.kernelDropped} filtered out in the kernel`;
  } else {
    line += ', drops unknown';
  }
  if (s.bytesWritten !== undefined) {
    line += `, ${human(s.bytesWritten)} written`;
    if (s.files !== undefined && s.files.length > 0) {
      line +=
        s.files.length === 1
          ? ` to ${s.files[0]}`
          : ` to ${s.files.length} files (last ${s.files[s.files.length - 1]})`;
    }
  }
  line += `, ${(s.durationMs / 1000).toFixed(2)} s`;
  return line;
}

// ---------------------------------------------------------------------------------------------
// in-kernel event selection

const STATE_CODES: number[] = [];
for (const e of EVENTS) {
  if (e !== null && e.flags.includes('EF_MODIFIES_STATE')) STATE_CODES.push(e.code);
}

/**
 * Event codes to ask the probe for: what the filter can match plus everything that keeps
 * the state right (every EF_MODIFIES_STATE code: clone/fork/execve/procexit, open*, close,
 * socket/connect/accept, dup, pipe, chdir, …), each with its enter/exit partner.
 * null = everything (no filter, or a filter not restricted by event type).
 */
export function kernelEventTypes(filterTypes: Set<number> | null | undefined): number[] | null {
  if (filterTypes === null || filterTypes === undefined) return null;
  const set = new Set<number>();
  const add = (c: number) => {
    if (c < 0 || c >= EVENTS.length || EVENTS[c] === null) return;
    set.add(c);
    const pair = c ^ 1;
    if (pair < EVENTS.length && EVENTS[pair] !== null) set.add(pair);
  };
  for (const c of filterTypes) add(c);
  for (const c of STATE_CODES) add(c);
  return [...set].sort((a, b) => a - b);
}
