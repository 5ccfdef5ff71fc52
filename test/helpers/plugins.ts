/** The real Falco plugins the plugin tests load: built from ../shared/plugins on first use. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { nativeAddonPath } from '../../src/util/native-addon';
import { IN_CI, ROOT, sharedSkipReason } from './env';

export const PLUGIN_LIBS = path.join(ROOT, 'build', 'plugins');

/** Reason to skip a test of a `.so` plugin, or null once scripts/build-plugins.sh built them. */
export function pluginSkipReason(): string | null {
  const s = sharedSkipReason();
  if (s) return s;
  if (!fs.existsSync(nativeAddonPath())) {
    if (IN_CI) throw new Error(`CI but the native addon is not built (${nativeAddonPath()})`);
    return 'native addon not built: npm run build:native';
  }
  const r = spawnSync('sh', [path.join(ROOT, 'scripts', 'build-plugins.sh')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build-plugins.sh failed: ${r.stderr}`);
  return null;
}
