/**
 * The TypeScript plugin API: what a JavaScript/TypeScript module exports to be loaded as Falco
 * loads a plugin `.so` (`plugins: [{name: x, library_path: ./x.js}]`). It mirrors Falco's plugin
 * ABI (plugin_api.h, API 3.x) capability by capability — sourcing, extraction, parsing — so a
 * native plugin and a TypeScript one are interchangeable behind the engine, and the field
 * declarations are the same JSON objects a native plugin's plugin_get_fields returns.
 */

/** plugin_get_fields `type` names */
export type PluginFieldType = 'uint64' | 'string' | 'reltime' | 'abstime' | 'bool' | 'ipaddr' | 'ipnet';

/** One field, as in plugin_get_fields' JSON (the keys Falco reads). */
export interface PluginField {
  name: string;
  type: PluginFieldType;
  isList?: boolean;
  /** the field takes an argument: `name[arg]` (isIndex: a number, isKey: a string) */
  arg?: { isRequired?: boolean; isIndex?: boolean; isKey?: boolean };
  display?: string;
  desc: string;
  /** 'hidden', 'info', 'conversation' as Falco uses them */
  properties?: string[];
  addOutput?: boolean;
}

/** One event as a plugin sees it (ss_plugin_event_input): the payload of a plugin event. */
export interface PluginEventInput {
  /** evt.num */
  num: number;
  /** evt.rawtime, nanoseconds since the epoch */
  ts: bigint;
  /** the event source name */
  source: string;
  /** the scap event type (322 for plugin events) */
  type: number;
  /**
   * a plugin event: its payload (event_data); a syscall event: the whole scap event (header and
   * parameters). Not copied: valid during the call only.
   */
  data: Uint8Array;
}

/** One field to extract (ss_plugin_extract_field): `name[arg]`. */
export interface ExtractRequest {
  /** index of the field in the plugin's `fields` */
  fieldId: number;
  field: string;
  /** `name[key]` */
  argKey?: string;
  /** `name[N]` */
  argIndex?: number;
  argPresent: boolean;
}

export type PluginScalar = string | bigint | boolean | Uint8Array;
/** a field's value: a scalar, a list for `isList` fields, undefined when the event has none */
export type PluginValue = PluginScalar | PluginScalar[] | undefined;

/** One event a source produces: its payload, with its time when the source knows it. */
export interface SourcedEvent {
  data: Uint8Array | string;
  /** nanoseconds since the epoch; absent: the time it was read */
  ts?: bigint;
}

/** What next() returns: a batch, or an end. Errors are thrown (one line). */
export type SourceBatch =
  | { kind: 'events'; events: SourcedEvent[] }
  /** nothing now, ask again (a live source) */
  | { kind: 'timeout' }
  | { kind: 'eof'; events?: SourcedEvent[] };

/** An open capture of a source plugin (plugin_open's instance). */
export interface SourceInstance {
  /** the next batch; a live source may wait (a promise) */
  next(): SourceBatch | Promise<SourceBatch>;
  close?(): void | Promise<void>;
}

/**
 * A plugin. Which capabilities it has follows from what it exports, as with a `.so`:
 * sourcing = `id` + `eventSource` + `open`; extraction = `fields` + `extract`; parsing = `parse`.
 * A module exports it as `default` or as the module itself; the engine calls `init` once with
 * `init_config` (a map in falco.yaml is passed as its JSON text, as Falco does).
 */
export interface FalcoPlugin {
  name: string;
  version: string;
  /** the plugin API version it was written for (semver, e.g. "3.0.0") */
  requiredApiVersion: string;
  description?: string;
  contact?: string;
  /** JSON schema of init_config (an object or its JSON text) */
  initSchema?: object | string;
  init?(config: string): void | Promise<void>;
  destroy?(): void;

  // sourcing
  /** the plugin's registered event ID (0 is reserved for syscalls) */
  id?: number;
  eventSource?: string;
  /** suggested open_params, as plugin_list_open_params */
  openParams?(): { value: string; desc?: string; separator?: string }[];
  open?(params: string): SourceInstance | Promise<SourceInstance>;
  /** a short text for an event (plugin_event_to_string), for `evt.info` */
  eventToString?(evt: PluginEventInput): string;

  // extraction
  /** sources the fields apply to; absent: the plugin's own eventSource (or every source) */
  extractEventSources?: string[];
  fields?: PluginField[];
  /** one value per request, in order */
  extract?(evt: PluginEventInput, reqs: readonly ExtractRequest[]): PluginValue[];

  // parsing
  parseEventSources?: string[];
  parse?(evt: PluginEventInput): void;
}
