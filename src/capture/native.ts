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
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NativeError, NativeModule, NativeProbe, ProbeOptions, ProbeStats } from './native-api';

export { NativeError };

export interface NativeProbeOptions extends ProbeOptions {
  /** count syscalls in the kernel, write no events (benchmark floor) */
  countOnly?: boolean;
}

export interface NativeProbeStats extends ProbeStats {
  /** events written into the ring buffer */
  submitted: number;
}

/** The probe as returned by loadNative().openProbe (NativeProbe with the extended stats). */
export interface NativeProbeExt extends NativeProbe {
  stats(): NativeProbeStats;
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
}

interface RawModule {
  openProbe(opts: object): RawProbe;
  info(): { kernel: string; btf: boolean; libbpf: string };
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ADDON_NAME = 'falco_ts_native.node';
const CODES = new Set(['no-permission', 'no-btf', 'verifier', 'attach', 'other']);

/** Candidate locations of the built addon (FALCO_TS_NATIVE overrides). */
export function nativeAddonPath(): string {
  if (process.env.FALCO_TS_NATIVE) return process.env.FALCO_TS_NATIVE;
  // dist/src/capture -> repo root; also work when run from the sources with ts-node-like loaders
  for (const root of [ROOT, path.resolve(__dirname, '..', '..')]) {
    const p = path.join(root, 'build', 'Release', ADDON_NAME);
    if (fs.existsSync(p)) return p;
  }
  return path.join(ROOT, 'build', 'Release', ADDON_NAME);
}

function toNativeError(e: unknown): NativeError {
  if (e instanceof NativeError) return e;
  const err = e as { message?: string; code?: string };
  const code = typeof err.code === 'string' && CODES.has(err.code) ? err.code : 'other';
  const msg = String(err.message ?? e).split('\n')[0];
  return new NativeError(msg, code as NativeError['code']);
}

class Probe implements NativeProbeExt {
  private closed = false;
  constructor(private readonly raw: RawProbe) {}
  read(): Buffer | null { return this.raw.read(); }
  wait(timeoutMs: number): Promise<Buffer | null> {
    return this.raw.wait(Math.max(0, Math.floor(timeoutMs)));
  }
  stats(): NativeProbeStats { return this.raw.stats(); }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
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
      'not-built');
  }
  try {
    cached = require(p) as RawModule;
  } catch (e) {
    throw new NativeError(`live capture is not available: the native addon ${p} does not load: ${String((e as Error).message).split('\n')[0]} (run npm run build:native)`, 'not-built');
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
        pollUs: opts.pollUs ?? 200,
        ignorePids: opts.ignorePids ?? [process.pid],
        countOnly: opts.countOnly ?? false,
      };
      if (opts.eventTypes != null) o.eventTypes = [...opts.eventTypes];
      if (opts.verifierLogPath) o.verifierLogPath = opts.verifierLogPath;
      try {
        return new Probe(raw.openProbe(o));
      } catch (e) {
        throw toNativeError(e);
      }
    },
    info() { return raw.info(); },
  };
}

/** True when the addon file exists (it may still fail to load). */
export function nativeBuilt(): boolean {
  return fs.existsSync(nativeAddonPath());
}
