/**
 * Where the native addon (build/Release/falco_ts_native.node, `npm run build:native`) is looked
 * up: FALCO_TS_NATIVE overrides. One home for the live capture (src/capture/native.ts), the
 * Falco plugin loader (src/plugins/native/), and the syslog(3) functions the log and the syslog
 * output use, which all live in that addon.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ADDON_NAME = 'falco_ts_native.node';

/** Candidate locations of the built addon (FALCO_TS_NATIVE overrides). */
export function nativeAddonPath(): string {
  if (process.env.FALCO_TS_NATIVE) return process.env.FALCO_TS_NATIVE;
  // dist/src/util -> repo root; also work when run from the sources with ts-node-like loaders
  for (const root of [ROOT, path.resolve(__dirname, '..', '..')]) {
    const p = path.join(root, 'build', 'Release', ADDON_NAME);
    if (fs.existsSync(p)) return p;
  }
  return path.join(ROOT, 'build', 'Release', ADDON_NAME);
}

export interface NativeSyslog {
  /** openlog(ident, 0, facility) */
  syslogOpen(ident: string, facility: number): void;
  /** syslog(priority, "%s", message) */
  syslogSend(priority: number, message: string): void;
}

let syslogFns: NativeSyslog | null | undefined;

/** The addon's syslog(3) functions; null when the addon is absent, does not load or predates them. */
export function nativeSyslog(): NativeSyslog | null {
  if (syslogFns !== undefined) return syslogFns;
  syslogFns = null;
  const p = nativeAddonPath();
  if (fs.existsSync(p)) {
    try {
      const m = require(p) as Partial<NativeSyslog>;
      if (typeof m.syslogOpen === 'function' && typeof m.syslogSend === 'function') syslogFns = m as NativeSyslog;
    } catch {
      /* not loadable here: the caller falls back */
    }
  }
  return syslogFns;
}
