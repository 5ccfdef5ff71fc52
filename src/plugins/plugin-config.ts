/**
 * falco.yaml's `plugins:` and `load_plugins:` (falco_configuration::load_plugins_config), read
 * from the configuration already merged with its -o settings: each entry's name, library_path
 * (relative to Falco's plugins directory unless absolute or ./-relative), init_config (a
 * string, or a map passed as its JSON text) and open_params. Without `load_plugins` every entry
 * loads; with it, only the entries it names, in the order of `plugins:`.
 */

/** Falco's FALCO_ENGINE_PLUGINS_DIR */
export const FALCO_PLUGINS_DIR = '/usr/share/falco/plugins/';

export interface PluginConfig {
  name: string;
  /** as resolved against FALCO_PLUGINS_DIR */
  libraryPath: string;
  /** as written (a built-in plugin is chosen when this is not found) */
  libraryPathAsWritten: string;
  initConfig: string;
  openParams: string;
}

/** The entries to load, or throws via `fail` with the key at fault. */
export function readPluginsConfig(
  plugins: unknown,
  loadPlugins: unknown,
  fail: (msg: string) => never,
): PluginConfig[] {
  if (plugins === undefined || plugins === null) return [];
  if (!Array.isArray(plugins)) return fail('plugins: expected a list');
  const all = plugins.map((e, i) => entry(e, i, fail));
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.name)) fail(`plugins: found duplicate plugin name '${p.name}'`);
    seen.add(p.name);
  }
  if (loadPlugins === undefined) return all;
  const names = loadPlugins === null ? [] : Array.isArray(loadPlugins) ? loadPlugins.map(text) : [text(loadPlugins)];
  const want = new Set(names);
  return all.filter((p) => want.has(p.name));
}

/** a YAML scalar as text (a map or list: its JSON) */
function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function entry(e: unknown, i: number, fail: (msg: string) => never): PluginConfig {
  const at = `plugins[${i}]`;
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return fail(`${at}: expected a map`);
  const m = e as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = m[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    return fail(`${at}.${k}: expected a string`);
  };
  const name = str('name');
  if (name === undefined || name === '') return fail(`${at}: name is required`);
  const lib = str('library_path');
  if (lib === undefined || lib === '') return fail(`${at}: library_path is required`);
  const ic = m.init_config;
  const initConfig = ic === undefined || ic === null ? '' : typeof ic === 'object' ? JSON.stringify(ic) : text(ic);
  const op = m.open_params;
  const openParams = op === undefined || op === null ? '' : typeof op === 'object' ? JSON.stringify(op) : text(op);
  const resolved = lib.startsWith('/') || lib.startsWith('.') ? lib : FALCO_PLUGINS_DIR + lib;
  return { name, libraryPath: resolved, libraryPathAsWritten: lib, initConfig, openParams };
}
