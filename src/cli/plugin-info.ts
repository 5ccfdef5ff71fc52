/**
 * Falco's --list-plugins and --plugin-info (app/actions/list_plugins.cpp, print_plugin_info.cpp,
 * format_plugin_info): a block per plugin, its capabilities, its init_config schema and its
 * suggested open params. `falco-ts list plugins` prints the same.
 */
import type { LoadedPluginInfo } from '../plugins/loaded-plugin';
import type { PluginSet } from '../plugins/registry';

/** format_plugin_info */
export function pluginInfoText(p: LoadedPluginInfo): string {
  const l = [
    `Name: ${p.name}`,
    `Description: ${p.description}`,
    `Contact: ${p.contact}`,
    `Version: ${p.version}`,
    'Capabilities: ',
  ];
  if (p.capabilities.sourcing) l.push(`  - Event Sourcing (ID=${p.id}, source='${p.eventSource}')`);
  if (p.capabilities.extraction) l.push('  - Field Extraction');
  if (p.capabilities.parsing) l.push('  - Event Parsing');
  return l.join('\n') + '\n';
}

/** list_plugins: "N Plugins Loaded:" and each plugin's block */
export function listPluginsText(set: PluginSet): string {
  const os = set.active.map((a) => pluginInfoText(a.plugin.info) + '\n').join('');
  return `${set.size} Plugins Loaded:\n\n${os}\n`;
}

/** print_plugin_info of the plugin configured under `name` (or loaded from that path); null if none */
export function pluginInfoOf(set: PluginSet, name: string): string | null {
  const a = set.active.find(
    (x) => x.config.name === name || x.config.libraryPathAsWritten === name || x.plugin.info.name === name,
  );
  if (a === undefined) return null;
  const p = a.plugin.info;
  let out = pluginInfoText(p) + '\n';
  out +=
    p.initSchema !== null ? `init_config schema type: JSON\n${p.initSchema}\n` : 'No init_config schema available\n';
  out += '\n';
  if (p.fields.length > 0) {
    out += 'Fields:\n';
    for (const f of p.fields)
      out += `  ${f.name}${f.arg?.isRequired ? '[ARG]' : ''} (${f.type}${f.isList ? ' list' : ''}): ${f.desc}\n`;
    out += '\n';
  }
  return out;
}
