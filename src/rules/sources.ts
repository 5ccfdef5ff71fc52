/**
 * The event sources rules compile against: syscall (the catalog, with the extractor plugins'
 * fields) and each loaded source plugin's (its fields and the generic evt.* fields).
 */
import type { FieldRegistry } from '../filter/field-api';
import { sourceFieldRegistry } from '../filter/plugin-fields';
import type { PluginSet } from '../plugins/registry';

export interface RuleSources {
  /** the syscall source's fields */
  base: FieldRegistry;
  /** a plugin source's fields; undefined for syscall */
  registryFor: (source: string) => FieldRegistry | undefined;
  /** the known sources (undefined: syscall alone) */
  sources: string[] | undefined;
}

export function ruleSources(catalog: FieldRegistry, plugins: PluginSet | undefined): RuleSources {
  if (plugins === undefined || plugins.size === 0)
    return { base: catalog, registryFor: () => undefined, sources: undefined };
  const bySource = new Map<string, FieldRegistry>();
  for (const src of plugins.sources())
    if (src !== 'syscall') bySource.set(src, sourceFieldRegistry(catalog, plugins, src));
  return {
    base: sourceFieldRegistry(catalog, plugins, 'syscall'),
    registryFor: (src) => bySource.get(src),
    sources: plugins.sources(),
  };
}
