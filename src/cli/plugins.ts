/**
 * The plugins a command's configuration names (falco.yaml's plugins:/load_plugins:, as
 * applyFalcoConfig left them in the options): loaded once, before the rules, as Falco does.
 */
import type { PluginConfig } from '../plugins/plugin-config';
import { PluginError } from '../plugins/loaded-plugin';
import { PluginSet, type ActivePlugin } from '../plugins/registry';
import { InputError } from '../util/errors';
import type { SessionOptions } from '../rules';
import type { FieldRegistry } from '../filter/field-api';
import { fieldRegistry } from '../filter/fields/registry';
import { allSourcesFieldRegistry, sourceFieldRegistry } from '../filter/plugin-fields';
import { rulesOptionsFrom } from './rules';
import type { EventView } from '../event/view';
import { PLUGIN_EVENT_CODE } from '../plugins/native/plugin-event';

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

/**
 * What `falco-ts replay` takes from -c's plugins: the rules with their sources and fields, the
 * filter's and -p's fields, and, with no trace files, the source plugins as the event source.
 */
export async function replayPlugins(
  o: Record<string, unknown>,
  files: readonly string[],
): Promise<{
  rules?: SessionOptions;
  registry?: FieldRegistry;
  pluginSources?: ActivePlugin[];
  parse?: (ev: EventView) => void;
}> {
  const plugins = await loadPluginSet(o, (m) => new InputError(m, 1));
  const parse = parseStage(plugins);
  const base = rulesOptionsFrom(o);
  const rules = base && { ...base, plugins };
  if (files.length > 0) {
    const registry = plugins.size > 0 ? allSourcesFieldRegistry(fieldRegistry, plugins) : undefined;
    return { rules, registry, parse };
  }
  const sources = plugins.sourcing();
  if (sources.length === 0)
    throw new InputError('replay: no trace files, and no source plugin in the configuration (-c)');
  // (-p and the filter read the fields of the first source's events)
  return {
    rules,
    registry: sourceFieldRegistry(fieldRegistry, plugins, sources[0].plugin.info.eventSource!),
    pluginSources: sources,
    parse,
  };
}

/** the parser plugins as the step's `updated` stage, or undefined */
export function parseStage(plugins: PluginSet): ((ev: EventView) => void) | undefined {
  const hook = plugins.parseHook();
  if (hook === undefined) return undefined;
  return (ev) => hook(ev.buf, ev.off, ev.num, ev.type, ev.type === PLUGIN_EVENT_CODE ? ev.u32(0) : 0);
}
