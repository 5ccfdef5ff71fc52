/**
 * Contract between the native addon (native/addon, loaded by src/capture/native.ts) and the
 * live-capture pipeline (src/capture/live-source.ts, src/cli/capture.ts).
 *
 * The probe writes scap events (ppm_evt_hdr + u16 lengths + params, codes and layouts of the
 * libs e5c53d64 event table) into BPF ring buffers; the addon drains them on a native thread
 * and hands JS *batches of complete scap event blocks*: each record is framed exactly like an
 * EV_V2 block in a trace file (u32 0x216, u32 total, u16 cpuid, event, zero padding to 4,
 * u32 total). So a batch can be fed to ScapReader's event path as-is, and the unfiltered
 * `capture -w` fast path writes batches to the file without decoding them in JS.
 */

export interface ProbeOptions {
  /** total ring-buffer bytes (power of two; per-CPU rings split it) */
  ringBytes?: number;
  /** bytes of read/write buffers captured (sysdig -s; default 80) */
  snaplen?: number;
  /**
   * Event-type selection pushed into the kernel: the set of scap event codes wanted
   * (enter and exit codes; generic events 0/1 stand for "every syscall without its own event").
   * null = everything.
   */
  eventTypes?: number[] | null;
  /** pids whose events are dropped in the kernel (our own process by default) */
  ignorePids?: number[];
  /** how often the native thread drains the rings, in microseconds (default: eBPF 1000, kmod 200) */
  pollUs?: number;
  /** where a verifier rejection log is written (its path goes in the error message) */
  verifierLogPath?: string;
  /**
   * Kernel name filter (src/filter/pushdown, eBPF only): events of a task whose recorded name
   * is not one of these are dropped, except the codes in keepTypes (the state's) and those in
   * socketTypes on a socket. Absent or empty = off.
   */
  kernelNames?: string[];
  keepTypes?: number[];
  socketTypes?: number[];
}

export interface ProbeStats {
  /** events the probe produced (per CPU summed) */
  seen: number;
  /** events handed to JS */
  delivered: number;
  /** events lost, by reason */
  droppedRingFull: number;
  droppedOther: number;
  /** batches handed to JS */
  batches: number;
  /** events the kernel name filter dropped (absent: no such filter) */
  kernelDropped?: number;
}

export interface NativeProbe {
  /** Next batch of framed event blocks, or null if none is ready now. Never blocks. */
  read(): Buffer | null;
  /** Waits up to timeoutMs for a batch (resolves null on timeout). */
  wait(timeoutMs: number): Promise<Buffer | null>;
  stats(): ProbeStats;
  /** Detach programs, drain what is left (read() returns it), free resources. Idempotent. */
  close(): void;
  /** The names the state starts with (the /proc snapshot), for the kernel name filter. */
  seedNames?(tids: number[], names: string[]): void;
}

export interface NativeModule {
  /** Loads and attaches the probe; throws NativeError with a one-line message on failure. */
  openProbe(opts: ProbeOptions): NativeProbe;
  /** libbpf / kernel / BTF facts for `falco-ts capture --check` and error messages */
  info(): { kernel: string; btf: boolean; libbpf: string };
}

/** A failure to load or attach the probe, with a user-facing one-line message. */
export class NativeError extends Error {
  constructor(
    message: string,
    readonly code: 'not-built' | 'no-permission' | 'no-btf' | 'verifier' | 'attach' | 'other',
  ) {
    super(message);
    this.name = 'NativeError';
  }
}

/** --driver: the eBPF probe, the kernel module, or whichever loads (eBPF first) */
export type Driver = 'ebpf' | 'kmod' | 'auto';
export const DRIVERS: readonly Driver[] = ['ebpf', 'kmod', 'auto'];
