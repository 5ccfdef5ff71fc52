/**
 * The plugins a command's configuration names (falco.yaml's plugins:/load_plugins:, as
 * applyFalcoConfig left them in the options): loaded once, before the rules, as Falco does.
 */
import type { PluginConfig } from '../plugins/plugin-config';
import { PluginError } from '../plugins/loaded-plugin';
import { PluginSet } from '../plugins/registry';

/** Loads `o.plugins`; a plugin's failure becomes `fail(message)` (one line naming it). */
export async function loadPluginSet(o: Record<string, unknown>, fail: (msg: string) => Error): Promise<PluginSet> {
  const configs = (o.plugins as PluginConfig[] | undefined) ?? [];
  if (configs.length === 0) return PluginSet.empty();
  try {
    return await PluginSet.load(configs, { note: (line) => process.stderr.write(`falco-ts: ${line}\n`) });
  } catch (e) {
    if (e instanceof PluginError) throw fail(e.message);
    throw e;
  }
}
