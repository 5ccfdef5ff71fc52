/**
 * The contract of the addon's NativePlugin (native/plugin/plugin_loader.cc): a Falco plugin
 * (.so, plugin API 3.x) loaded with dlopen. Every method throws an Error whose message is one
 * line naming the plugin when the plugin returns an error.
 */

/** ss_plugin_rc values that nextBatch reports */
export const RC_SUCCESS = 0;
export const RC_FAILURE = 1;
export const RC_TIMEOUT = -1;
export const RC_EOF = 2;

export interface RawPluginInfo {
  path: string;
  name: string;
  version: string;
  description: string;
  contact: string;
  requiredApiVersion: string;
  frameworkApiVersion: string;
  capabilities: { sourcing: boolean; extraction: boolean; parsing: boolean; async: boolean };
  /** sourcing plugins only */
  id?: number;
  eventSource?: string;
  /** JSON text as the plugin returns it (plugin_get_fields, plugin_get_extract_event_sources) */
  fields?: string;
  extractEventSources?: string;
  /** JSON schema text, when the plugin declares one */
  initSchema?: string;
}

export interface RawBatch {
  rc: number;
  count: number;
  /** `count` scap events back to back (each with its ppm_evt_hdr) */
  data: Buffer;
  /** set with rc RC_FAILURE: the events before the failure are still in data */
  error?: string;
}

/** one extraction request: [fieldId, name, ftype, isList, argKey | null, argIndex, argPresent] */
export type RawRequest = [number, string, number, boolean, string | null, number, boolean];

export type RawValue = string | number | bigint | boolean | Buffer | (string | number | bigint | boolean | Buffer)[];

export interface RawNativePlugin {
  info(): RawPluginInfo;
  init(config: string): void;
  openParams(): string | null;
  open(params: string): number;
  nextBatch(instance: number, maxEvents: number): RawBatch;
  close(instance: number): void;
  prepareExtract(requests: RawRequest[]): number;
  extract(set: number, buf: Buffer, offset: number, evtnum: number, source: string): (RawValue | undefined)[];
  /** drains the lines logged by the plugin: [severity (ss_plugin_log_severity), component, message] */
  logs(): [number, string | null, string][];
  /** the table API calls the plugin attempted that falco-ts does not support */
  tableCalls(): string[];
  destroy(): void;
}

export interface RawPluginModule {
  NativePlugin?: new (path: string) => RawNativePlugin;
  pluginApiVersion?: string;
}
