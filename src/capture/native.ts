/**
 * Loader of the native capture addon (native/addon, built by `npm run build:native` into
 * build/Release/falco_ts_native.node): implements the NativeModule contract of native-api.ts.
 *
 * The addon is optional. loadNative() throws NativeError(..., 'not-built') when the .node file
 * is absent or does not load, so everything but live capture works without it. Errors from the
 * addon (an Error with .code) become NativeError with the same one-line message.
 *
 * Additive extensions to the contract (native-api.ts is unchanged):
 *   - ProbeOptions.countOnly (NativeProbeOptions): the probe only counts syscalls in the kernel and
 *     writes nothing (the benchmark's "count-only probe" row);
 *   - ProbeStats.submitted (NativeProbeStats): events written into the ring buffer.
 *   - nativeAddonPath(): where the .node file is looked up.
 *   - NativeProbeOptions.compress: 'lz4' batches compressed on the native thread.
 *   - NativeProbeOptions.driver: 'ebpf' (the CO-RE BPF probe), 'kmod' (the falco_ts kernel module,
 *     native/kmod, through /dev/falco_ts) or 'auto' (the default: eBPF when the kernel has BTF and
 *     the probe loads, else the module when it is loaded); the opened probe says which in .driver.
 *     Module errors: NativeError codes 'no-kmod' (not loaded) and 'kmod-version' (interface mismatch).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NativeError, NativeModule, NativeProbe, ProbeOptions, ProbeStats } from './native-api';
import { useNativeLz4 } from '../codec/lz4';
import { nativeAddonPath } from '../util/native-addon';

export { nativeAddonPath };

export { NativeError };

/** Which kernel probe collects the events. */
import { DRIVERS, type Driver } from './native-api';
export { DRIVERS, type Driver };

export interface NativeProbeOptions extends ProbeOptions {
  /** count syscalls in the kernel, write no events (benchmark floor) */
  countOnly?: boolean;
  /** default 'auto' */
  driver?: Driver;
  /**
   * 'lz4': the eBPF probe hands over each batch as one LZ4 frame (liblz4 on the native thread),
   * with buffer.lz4Events (event blocks inside) and buffer.rawLength (decoded bytes) set;
   * batches without those properties (kmod) are plain blocks.
   */
  compress?: 'lz4';
}

export interface NativeProbeStats extends ProbeStats {
  /** events written into the ring buffer */
  submitted: number;
}

/** The probe as returned by loadNative().openProbe (NativeProbe with the extended stats). */
export interface NativeProbeExt extends NativeProbe {
  stats(): NativeProbeStats;
  /** the probe that was opened */
  readonly driver: 'ebpf' | 'kmod';
}

/** NativeModule with the additive option/stat extensions. */
export interface NativeModuleExt extends NativeModule {
  openProbe(opts: NativeProbeOptions): NativeProbeExt;
}

interface RawProbe {
  read(): Buffer | null;
  wait(timeoutMs: number): Promise<Buffer | null>;
  stats(): NativeProbeStats;
  close(): void;
  /** absent from addons built before the kernel name filter */
  seedNames?(tids: number[], names: string[]): void;
}

interface RawModule {
  openProbe(opts: object): RawProbe;
  /** kmod: '' when /dev/falco_ts is usable, else why not (addons built before the module lack it) */
  info(): { kernel: string; btf: boolean; libbpf: string; kmod?: string };
  /** liblz4 block compression (absent from addons built before it existed) */
  lz4CompressBlock?: (src: Buffer, start: number, end: number, dst: Buffer, dstStart: number) => number;
}

const CODES = new Set(['no-permission', 'no-btf', 'verifier', 'attach', 'other', 'no-kmod', 'kmod-version']);

function toNativeError(e: unknown): NativeError {
  if (e instanceof NativeError) return e;
  const err = e as { message?: string; code?: string };
  const code = typeof err.code === 'string' && CODES.has(err.code) ? err.code : 'other';
  const msg = String(err.message ?? e).split('\n')[0];
  return new NativeError(msg, code as NativeError['code']);
}

class Probe implements NativeProbeExt {
  private closed = false;
  constructor(
    private readonly raw: RawProbe,
    readonly driver: 'ebpf' | 'kmod' = 'ebpf',
  ) {}
  read(): Buffer | null {
    return this.raw.read();
  }
  wait(timeoutMs: number): Promise<Buffer | null> {
    return this.raw.wait(Math.max(0, Math.floor(timeoutMs)));
  }
  stats(): NativeProbeStats {
    return this.raw.stats();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
  }
  seedNames(tids: number[], names: string[]): void {
    this.raw.seedNames?.(tids, names);
  }
}

let cached: RawModule | null = null;

function loadRaw(): RawModule {
  if (cached) return cached;
  const p = nativeAddonPath();
  if (!fs.existsSync(p)) {
    throw new NativeError(
      `live capture is not available: the native addon is not built (${path.relative(process.cwd(), p) || p} is missing): ` +
        'run npm run build:native as root on a machine with clang, bpftool, libbpf-dev, libelf-dev and cmake (scripts/setup.sh installs them)',
      'not-built',
    );
  }
  try {
    cached = require(p) as RawModule;
    // frames JS assembles during a capture (filtered, -n/-M) get liblz4's block compressor
    if (typeof cached.lz4CompressBlock === 'function') useNativeLz4(cached.lz4CompressBlock);
  } catch (e) {
    throw new NativeError(
      `live capture is not available: the native addon ${p} does not load: ${String((e as Error).message).split('\n')[0]} (run npm run build:native)`,
      'not-built',
    );
  }
  return cached;
}

/** The native module; throws NativeError('...', 'not-built') when the addon is absent. */
export function loadNative(): NativeModuleExt {
  const raw = loadRaw();
  return {
    openProbe(opts: NativeProbeOptions): Probe {
      const o: Record<string, unknown> = {
        ringBytes: opts.ringBytes ?? 64 * 1024 * 1024,
        snaplen: opts.snaplen ?? 80,
        pollUs: opts.pollUs ?? 0, // the driver's default
        ignorePids: opts.ignorePids ?? [process.pid],
        countOnly: opts.countOnly ?? false,
      };
      if (opts.eventTypes != null) o.eventTypes = [...opts.eventTypes];
      if (opts.verifierLogPath) o.verifierLogPath = opts.verifierLogPath;
      if (opts.compress === 'lz4') o.compress = 'lz4';
      if (opts.kernelNames !== undefined && opts.kernelNames.length > 0) {
        o.kernelNames = [...opts.kernelNames];
        o.keepTypes = [...(opts.keepTypes ?? [])];
        o.socketTypes = [...(opts.socketTypes ?? [])];
      }
      const open = (driver: 'ebpf' | 'kmod'): Probe => {
        try {
          return new Probe(raw.openProbe({ ...o, driver }), driver);
        } catch (e) {
          throw toNativeError(e);
        }
      };
      const driver = opts.driver ?? 'auto';
      if (driver === 'ebpf' || driver === 'kmod') return open(driver);
      if (!DRIVERS.includes(driver))
        throw new NativeError(`unknown driver '${String(driver)}': expected ebpf, kmod or auto`, 'other');
      // auto: eBPF where the kernel supports it, else the module
      const kmodReady = raw.info().kmod === '';
      try {
        return open('ebpf');
      } catch (e) {
        const err = e as NativeError;
        if (!kmodReady || err.code === 'no-permission') throw err;
        try {
          return open('kmod');
        } catch (k) {
          throw new NativeError(
            `${err.message}; the kernel module failed too: ${(k as Error).message}`,
            (k as NativeError).code,
          );
        }
      }
    },
    info() {
      return raw.info();
    },
  };
}

/** True when the addon file exists (it may still fail to load). */
export function nativeBuilt(): boolean {
  return fs.existsSync(nativeAddonPath());
}
