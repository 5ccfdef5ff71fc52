/**
 * The plugins of a run, loaded from falco.yaml's `plugins:` as Falco's load_plugins and
 * init_inspectors actions do: each library loaded (a `.so`, a `.js`/`.mjs` module, or a
 * built-in TypeScript plugin) and initialized with its init_config, then checked together
 * (one source per id and per name, extractors compatible with a known source, no field offered
 * twice for a source). Built-in plugins are registered by name with registerBuiltinPlugin.
 */
import * as fs from 'node:fs';
import type { FalcoLogger } from '../log/falco-logger';
import type { FalcoPlugin, PluginField } from './api';
import { PluginError, type LoadedPlugin } from './loaded-plugin';
import type { PluginConfig } from './plugin-config';
import { adoptPlugin, isJsModulePath, loadJsModule } from './js-loaded';
import { PLUGIN_EVENT_CODE } from './native/plugin-event';
import { BUILTIN_TS_PLUGINS } from './builtins';

/** the syscall source, always known (libs' sinsp source) */
export const SYSCALL_SOURCE = 'syscall';

/** built-in plugins by name: a fresh instance per load (a plugin keeps its config and caches) */
const BUILTINS = new Map<string, () => FalcoPlugin>(Object.entries(BUILTIN_TS_PLUGINS));

/**
 * Registers a TypeScript plugin as built in under `names` (default: its own name): a
 * `plugins:` entry with one of these names whose library_path is not found loads it instead,
 * and `library_path: builtin` (or `builtin:NAME`) asks for it explicitly.
 */
export function registerBuiltinPlugin(plugin: FalcoPlugin, names: readonly string[] = [plugin.name]): void {
  for (const n of names) BUILTINS.set(n, () => plugin);
}

export function builtinPlugin(name: string): FalcoPlugin | undefined {
  return BUILTINS.get(name)?.();
}

export interface ActivePlugin {
  config: PluginConfig;
  plugin: LoadedPlugin;
}

/** A field a source offers through a plugin. */
export interface SourceField {
  plugin: LoadedPlugin;
  field: PluginField;
}

export interface LoadOptions {
  logger?: FalcoLogger;
  /** one-line notes (a built-in chosen for a missing library) */
  note?(line: string): void;
}

export class PluginSet {
  private constructor(readonly active: readonly ActivePlugin[]) {}

  static empty(): PluginSet {
    return new PluginSet([]);
  }

  /** Loads and initializes every entry; the first failure is a PluginError naming the plugin. */
  static async load(configs: readonly PluginConfig[], opts: LoadOptions = {}): Promise<PluginSet> {
    const active: ActivePlugin[] = [];
    try {
      for (const c of configs) {
        const plugin = await loadOne(c, opts);
        active.push({ config: c, plugin });
        await plugin.init(c.initConfig);
      }
      const set = new PluginSet(active);
      set.check();
      return set;
    } catch (e) {
      for (const a of active) destroyQuietly(a.plugin);
      throw e;
    }
  }

  get size(): number {
    return this.active.length;
  }

  /** the configured plugin of this name (as in falco.yaml, else the plugin's own) */
  byName(name: string): ActivePlugin | undefined {
    return this.active.find((a) => a.config.name === name) ?? this.active.find((a) => a.plugin.info.name === name);
  }

  /** plugins with the sourcing capability, in configuration order */
  sourcing(): ActivePlugin[] {
    return this.active.filter((a) => a.plugin.info.capabilities.sourcing);
  }

  /** every source known: syscall and each source plugin's */
  sources(): string[] {
    return [SYSCALL_SOURCE, ...this.sourcing().map((a) => a.plugin.info.eventSource!)];
  }

  /** the source of a plugin event's id, or undefined for an id no loaded plugin has */
  sourceOfId(id: number): ActivePlugin | undefined {
    return this.sourcing().find((a) => a.plugin.info.id === id);
  }

  /** the plugin fields usable on `source`, extractors in configuration order */
  fieldsFor(source: string): SourceField[] {
    const out: SourceField[] = [];
    for (const a of this.active) {
      const i = a.plugin.info;
      if (!i.capabilities.extraction) continue;
      if (!compatible(i.extractEventSources, source, i.eventSource)) continue;
      for (const field of i.fields) out.push({ plugin: a.plugin, field });
    }
    return out;
  }

  /**
   * The parsing plugins as one hook over a scap event (its source from its plugin id), or
   * undefined when none parses: each sees the events of its sources, in order, before the rules.
   */
  parseHook(): ((buf: Buffer, off: number, evtnum: number, type: number, pluginId: number) => void) | undefined {
    const parsers = this.active.map((a) => a.plugin).filter((p) => p.parse !== undefined);
    if (parsers.length === 0) return undefined;
    return (buf, off, evtnum, type, pluginId) => {
      const source = type === PLUGIN_EVENT_CODE ? this.sourceOfId(pluginId)?.plugin.info.eventSource : SYSCALL_SOURCE;
      if (source === undefined) return;
      for (const p of parsers)
        if (p.parseEventSources!.length === 0 || p.parseEventSources!.includes(source))
          p.parse!(buf, off, evtnum, source);
    };
  }

  /** plugin name -> version, for the rules' required_plugin_versions */
  versions(): Map<string, string> {
    return new Map(this.active.map((a) => [a.plugin.info.name, a.plugin.info.version]));
  }

  destroy(): void {
    for (const a of this.active) destroyQuietly(a.plugin);
  }

  /** init_inspectors' checks over the loaded set */
  private check(): void {
    const loaded = new Set<string>();
    for (const a of this.active) {
      if (loaded.has(a.plugin.info.name))
        throw new PluginError(`found another plugin with name ${a.plugin.info.name}. Aborting.`);
      loaded.add(a.plugin.info.name);
    }
    const ids = new Map<number, string>();
    const names = new Map<string, string>();
    for (const a of this.sourcing()) {
      const i = a.plugin.info;
      const byId = ids.get(i.id!);
      if (byId !== undefined)
        throw new PluginError(`plugin '${i.name}': plugin ID ${i.id} is already used by plugin '${byId}'`);
      const bySrc = names.get(i.eventSource!);
      if (bySrc !== undefined)
        throw new PluginError(
          `plugin '${i.name}': event source '${i.eventSource}' is already provided by plugin '${bySrc}'`,
        );
      ids.set(i.id!, i.name);
      names.set(i.eventSource!, i.name);
    }
    const known = this.sources();
    for (const a of this.active) {
      const i = a.plugin.info;
      if (!i.capabilities.extraction || i.capabilities.sourcing) continue;
      if (!known.some((s) => compatible(i.extractEventSources, s, undefined)))
        throw new PluginError(`Plugin '${i.name}' is loaded but unused as not compatible with any known event source`);
    }
    for (const src of known) {
      const seen = new Map<string, LoadedPlugin>();
      for (const f of this.fieldsFor(src)) {
        const by = seen.get(f.field.name);
        if (by !== undefined && by !== f.plugin)
          throw new PluginError(
            `Plugin '${f.plugin.info.name}' supports extraction of field '${f.field.name}' that is overlapping for source '${src}'`,
          );
        seen.set(f.field.name, f.plugin);
      }
    }
  }
}

/** an extractor with no source list applies to every source; a source plugin's own applies to it */
function compatible(list: readonly string[], source: string, own: string | undefined): boolean {
  return list.length === 0 ? own === undefined || own === source : list.includes(source);
}

async function loadOne(c: PluginConfig, opts: LoadOptions): Promise<LoadedPlugin> {
  const explicit = /^builtin(?::(.+))?$/.exec(c.libraryPathAsWritten);
  const builtinName = explicit ? (explicit[1] ?? c.name) : c.name;
  const builtin = builtinPlugin(builtinName);
  if (explicit) {
    if (!builtin) throw new PluginError(`plugin '${c.name}': no built-in plugin named '${builtinName}'`);
    return adoptPlugin(builtin, 'built-in', 'built-in');
  }
  if (!fs.existsSync(c.libraryPath)) {
    if (builtin) {
      opts.note?.(`plugin '${c.name}': ${c.libraryPath} not found, using the built-in ${builtinName} plugin`);
      return adoptPlugin(builtin, 'built-in', 'built-in');
    }
    throw new PluginError(`plugin '${c.libraryPath}': cannot load plugin library: No such file or directory`);
  }
  if (isJsModulePath(c.libraryPath)) return adoptPlugin(await loadJsModule(c.libraryPath), c.libraryPath, 'js');
  // (required here: the native addon loads only when a .so is configured)
  const N = require('./native/native-loaded') as typeof import('./native/native-loaded');
  return N.loadNativePlugin(c.libraryPath, opts.logger);
}

function destroyQuietly(p: LoadedPlugin): void {
  try {
    p.destroy();
  } catch {
    // (already failing: the first error is the one reported)
  }
}
