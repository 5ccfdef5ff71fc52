/**
 * Where the native addon (build/Release/falco_ts_native.node, `npm run build:native`) is looked
 * up: FALCO_TS_NATIVE overrides. One home for the live capture (src/capture/native.ts) and the
 * Falco plugin loader (src/plugins/native/), which both live in that addon.
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
