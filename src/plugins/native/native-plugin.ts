/**
 * A Falco plugin (.so, plugin API 3.x) loaded through the native addon: its info with the fields
 * parsed, init with a config string or map (a map is JSON-encoded, as Falco does for
 * `init_config`), source instances that yield batches of scap plugin events, and extraction of
 * its fields (`name` or `name[arg]`) over an event buffer. The plugin's log lines go to a
 * FalcoLogger as `<component>: <message>`. Errors are one line naming the plugin.
 */
import * as fs from 'node:fs';
import { nativeAddonPath } from '../../util/native-addon';
import type { FalcoLogger } from '../../log/falco-logger';
import {
  RC_EOF,
  RC_FAILURE,
  RC_TIMEOUT,
  type RawNativePlugin,
  type RawPluginInfo,
  type RawPluginModule,
  type RawRequest,
  type RawValue,
} from './native-plugin-api';

export class NativePluginError extends Error {}

/** plugin_get_fields entries (the keys Falco reads) */
export interface NativeFieldInfo {
  name: string;
  type: string;
  isList: boolean;
  arg: { isRequired: boolean; isIndex: boolean; isKey: boolean };
  display: string;
  desc: string;
  properties: string[];
  addOutput: boolean;
}

export interface NativePluginInfo extends Omit<RawPluginInfo, 'fields' | 'extractEventSources' | 'initSchema'> {
  fields: NativeFieldInfo[];
  /** sources the fields apply to; for a source plugin without a list: its own source */
  extractEventSources: string[];
  initSchema: string | null;
}

/** ss_plugin_field_type of the fields JSON type names */
const FTYPES: Record<string, number> = {
  uint64: 8,
  string: 9,
  reltime: 20,
  abstime: 21,
  bool: 25,
  ipaddr: 40,
  ipnet: 41,
};

/** ss_plugin_log_severity (1 fatal .. 8 trace) -> syslog level */
const SYSLOG_OF_SEVERITY = [7, 0, 2, 3, 4, 5, 6, 7, 7];

let addon: RawPluginModule | null = null;
function loadAddon(): RawPluginModule {
  if (addon) return addon;
  const p = nativeAddonPath();
  if (!fs.existsSync(p)) throw new NativePluginError(`Falco plugins (.so) need the native addon: ${p} is not built (npm run build:native)`);
  addon = require(p) as RawPluginModule;
  return addon;
}

/** The plugin API version the addon implements, or null when the addon lacks the loader. */
export function nativePluginApiVersion(): string | null {
  return loadAddon().pluginApiVersion ?? null;
}

function oneLine(e: unknown): NativePluginError {
  return new NativePluginError(String((e as Error)?.message ?? e).split('\n')[0]);
}

function parseJson<T>(plugin: string, what: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new NativePluginError(`plugin '${plugin}': ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface SourceBatch {
  /** scap events back to back (src/plugins/native/plugin-event.ts reads them) */
  data: Buffer;
  count: number;
  /** the source has no more events */
  eof: boolean;
  /** the plugin had no event ready (try again later) */
  timeout: boolean;
}

export class NativeSourceInstance {
  private closed = false;
  constructor(
    private readonly plugin: NativePlugin,
    private readonly raw: RawNativePlugin,
    private readonly handle: number,
  ) {}

  /** Up to `maxEvents` events (the plugin's batches until one is not a success). */
  nextBatch(maxEvents = 1024): SourceBatch {
    if (this.closed) throw new NativePluginError(`plugin '${this.plugin.info.name}': source instance is closed`);
    const b = this.plugin.call(() => this.raw.nextBatch(this.handle, maxEvents));
    if (b.rc === RC_FAILURE) {
      // the events read before the failure are kept by whoever catches this
      const err = new NativePluginError(b.error ?? `plugin '${this.plugin.info.name}': next_batch failed`);
      (err as NativePluginError & { batch?: SourceBatch }).batch = { data: b.data, count: b.count, eof: false, timeout: false };
      throw err;
    }
    return { data: b.data, count: b.count, eof: b.rc === RC_EOF, timeout: b.rc === RC_TIMEOUT };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.plugin.call(() => this.raw.close(this.handle));
  }
}

/** A compiled list of fields (with their arguments) to extract together from each event. */
export class NativeExtractor {
  constructor(
    private readonly plugin: NativePlugin,
    private readonly raw: RawNativePlugin,
    private readonly set: number,
    readonly fields: readonly string[],
  ) {}

  /** One value per field (undefined: the plugin has none for this event) of the event at `off`. */
  extract(buf: Buffer, off: number, evtnum: number, source?: string): (RawValue | undefined)[] {
    const src = source ?? this.plugin.info.eventSource ?? this.plugin.info.extractEventSources[0] ?? '';
    return this.plugin.call(() => this.raw.extract(this.set, buf, off, evtnum, src));
  }
}

export interface NativePluginOptions {
  /** where the plugin's log lines go; default: dropped after each call */
  logger?: FalcoLogger;
}

export class NativePlugin {
  readonly info: NativePluginInfo;
  private readonly raw: RawNativePlugin;
  private readonly byName = new Map<string, number>();

  private constructor(raw: RawNativePlugin, private readonly logger: FalcoLogger | undefined) {
    this.raw = raw;
    const r = raw.info();
    const fields = r.fields ? parseJson<NativeFieldInfo[]>(r.name, 'plugin_get_fields', r.fields) : [];
    const sources = r.extractEventSources
      ? parseJson<string[]>(r.name, 'plugin_get_extract_event_sources', r.extractEventSources)
      : r.eventSource !== undefined && fields.length > 0
        ? [r.eventSource]
        : [];
    this.info = { ...r, fields, extractEventSources: sources, initSchema: r.initSchema ?? null };
    fields.forEach((f, i) => this.byName.set(f.name, i));
  }

  /** dlopen()s `path` and checks it is a Falco plugin the loader is compatible with. */
  static load(path: string, opts: NativePluginOptions = {}): NativePlugin {
    const mod = loadAddon();
    if (!mod.NativePlugin) throw new NativePluginError(`plugin '${path}': the native addon predates the plugin loader: rebuild it (npm run build:native)`);
    let raw: RawNativePlugin;
    try {
      raw = new mod.NativePlugin(path);
    } catch (e) {
      throw oneLine(e);
    }
    return new NativePlugin(raw, opts.logger);
  }

  /** Runs one call into the plugin: its log lines are forwarded, its error becomes one line. */
  call<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw oneLine(e);
    } finally {
      this.flushLogs();
    }
  }

  private flushLogs(): void {
    const lines = this.raw.logs();
    if (!this.logger) return;
    for (const [sev, component, msg] of lines) {
      this.logger.log(SYSLOG_OF_SEVERITY[sev] ?? 6, `${component ?? this.info.name}: ${msg}`);
    }
  }

  /** plugin_init: a string as is, a map JSON-encoded (Falco's init_config), nothing as ''. */
  init(config?: string | Record<string, unknown>): void {
    const text = config === undefined ? '' : typeof config === 'string' ? config : JSON.stringify(config);
    this.call(() => this.raw.init(text));
  }

  /** The open parameters the plugin suggests (plugin_list_open_params), or null. */
  openParams(): unknown {
    const s = this.call(() => this.raw.openParams());
    return s === null ? null : parseJson(this.info.name, 'plugin_list_open_params', s);
  }

  open(params?: string | Record<string, unknown>): NativeSourceInstance {
    const text = params === undefined ? '' : typeof params === 'string' ? params : JSON.stringify(params);
    const h = this.call(() => this.raw.open(text));
    return new NativeSourceInstance(this, this.raw, h);
  }

  /** Compiles `fields` (`name` or `name[arg]`: an index or a key, as the field declares). */
  extractor(fields: readonly string[]): NativeExtractor {
    const reqs = fields.map((f) => this.request(f));
    const set = this.call(() => this.raw.prepareExtract(reqs));
    return new NativeExtractor(this, this.raw, set, fields);
  }

  private request(spec: string): RawRequest {
    const m = /^([^[\]]+)(?:\[(.*)\])?$/.exec(spec);
    const name = m?.[1] ?? spec;
    const id = this.byName.get(name);
    if (!m || id === undefined) throw new NativePluginError(`plugin '${this.info.name}': no field '${spec}'`);
    const f = this.info.fields[id];
    const ftype = FTYPES[f.type];
    if (ftype === undefined) throw new NativePluginError(`plugin '${this.info.name}': field '${name}' has unknown type '${f.type}'`);
    const arg = m[2];
    if (arg === undefined) {
      if (f.arg?.isRequired) throw new NativePluginError(`plugin '${this.info.name}': field '${name}' requires an argument`);
      return [id, name, ftype, f.isList, null, 0, false];
    }
    if (f.arg?.isIndex) {
      if (!/^\d+$/.test(arg)) throw new NativePluginError(`plugin '${this.info.name}': field '${spec}': the argument must be an index`);
      return [id, name, ftype, f.isList, null, Number(arg), true];
    }
    if (f.arg?.isKey) return [id, name, ftype, f.isList, arg, 0, true];
    throw new NativePluginError(`plugin '${this.info.name}': field '${name}' takes no argument`);
  }

  /** Table API calls the plugin attempted that falco-ts does not support (no tables yet). */
  unsupportedTableCalls(): string[] {
    return this.raw.tableCalls();
  }

  /** plugin_destroy (closing open instances) and dlclose. */
  destroy(): void {
    this.call(() => this.raw.destroy());
  }
}
