/**
 * One interface over every loaded plugin, whatever it is made of: a `.so` through the native
 * addon, a JavaScript/TypeScript module, or a built-in TypeScript plugin. The engine (field
 * registry, source runner, rules) sees only this, so the three kinds are interchangeable.
 * Events cross it as scap events (a batch: events back to back, plugin events code 322).
 */
import type { PluginField } from './api';

/** the plugin API version falco-ts implements (native/plugin/plugin_abi.h says the same) */
export const FRAMEWORK_API_VERSION = '3.12.0';

export class PluginError extends Error {
  /** a failing next(): the events the plugin produced before the failure (they are kept) */
  batch?: PluginBatch;
}

export interface LoadedPluginInfo {
  name: string;
  version: string;
  description: string;
  contact: string;
  requiredApiVersion: string;
  /** the library or module path, or 'built-in' */
  path: string;
  kind: 'native' | 'js' | 'built-in';
  capabilities: { sourcing: boolean; extraction: boolean; parsing: boolean };
  /** sourcing plugins */
  id?: number;
  eventSource?: string;
  fields: PluginField[];
  /** the sources its fields apply to (a source plugin without a list: its own) */
  extractEventSources: string[];
  /** JSON schema text of init_config, or null */
  initSchema: string | null;
}

/** what one extraction yields; undefined: the event has no value */
export type PluginFieldValue =
  string | number | bigint | boolean | Uint8Array | (string | number | bigint | boolean | Uint8Array)[] | undefined;

/** one field with its argument, bound: reads the value from the event at `off` of `buf` */
export type PluginFieldReader = (buf: Buffer, off: number, evtnum: number, source: string) => PluginFieldValue;

export interface PluginBatch {
  /** scap events back to back (plugin events carrying this plugin's id) */
  data: Buffer;
  count: number;
  /** the source has no more events */
  eof: boolean;
}

export interface OpenedSource {
  /** the next batch; a live source may wait */
  next(): PluginBatch | Promise<PluginBatch>;
  close(): void | Promise<void>;
}

export interface LoadedPlugin {
  readonly info: LoadedPluginInfo;
  /** init_config as text (a map in falco.yaml is its JSON) */
  init(config: string): void | Promise<void>;
  open(params: string): OpenedSource | Promise<OpenedSource>;
  /** binds `name[arg]` (arg: the text in brackets, or null); throws PluginError for a bad one */
  field(name: string, arg: string | null): PluginFieldReader;
  /** a source plugin's text for one of its events (plugin_event_to_string), for evt.plugininfo */
  eventToString?(buf: Buffer, off: number, evtnum: number): string;
  /** parsing plugins (TypeScript ones: the addon does not call plugin_parse_event yet) */
  parse?(buf: Buffer, off: number, evtnum: number, source: string): void;
  /** the sources `parse` sees; empty: every source (a source plugin's: its own) */
  readonly parseEventSources?: readonly string[];
  destroy(): void;
}

/** Falco's check (libs' plugin loader): same major, framework minor.patch >= the required one. */
export function apiCompatible(required: string, framework = FRAMEWORK_API_VERSION): string | null {
  const r = /^(\d+)\.(\d+)\.(\d+)$/.exec(required);
  if (!r) return `plugin provided an invalid required API version: '${required}'`;
  const [fa, fi, fp] = framework.split('.').map(Number);
  const [ra, ri, rp] = [Number(r[1]), Number(r[2]), Number(r[3])];
  const why =
    ra !== fa
      ? 'major versions disagree'
      : ri > fi
        ? "framework's minor version is < the requested one"
        : ri === fi && rp > fp
          ? "framework's patch version is < the requested one"
          : null;
  return why === null
    ? null
    : `plugin required API version '${required}' not compatible with the framework's API version '${framework}': ${why}`;
}
