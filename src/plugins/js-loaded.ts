/**
 * A TypeScript/JavaScript plugin (a FalcoPlugin object, api.ts) behind the loaded-plugin
 * interface: from a module (`library_path: ./x.js` or `.mjs`, the object as its default export
 * or the module itself) or built in. Its payloads become scap plugin events (code 322) as a
 * `.so`'s do, so the engine treats both alike.
 */
import * as path from 'node:path';
import type { ExtractRequest, FalcoPlugin, PluginEventInput, SourceBatch } from './api';
import {
  PluginError,
  apiCompatible,
  type LoadedPlugin,
  type OpenedSource,
  type PluginBatch,
  type PluginFieldReader,
} from './loaded-plugin';
import {
  PLUGIN_EVENT_CODE,
  encodePluginEvents,
  eventLength,
  eventType,
  pluginEventPayload,
} from './native/plugin-event';

/** A library_path that names a JavaScript module rather than a `.so`. */
export function isJsModulePath(p: string): boolean {
  return /\.(c|m)?js$/.test(p);
}

/** Loads a module's plugin object (its default export, or the module's own exports). */
export async function loadJsModule(file: string): Promise<FalcoPlugin> {
  const abs = path.resolve(file);
  let mod: unknown;
  try {
    mod = abs.endsWith('.mjs') ? await importEsm(abs) : require(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? 'No such file or directory' : oneLine(e);
    throw new PluginError(`plugin '${file}': cannot load plugin library: ${why}`);
  }
  const m = mod as { default?: unknown };
  const obj = (
    m && typeof m === 'object' && m.default && typeof m.default === 'object' ? m.default : mod
  ) as FalcoPlugin;
  if (!obj || typeof obj !== 'object' || typeof obj.requiredApiVersion !== 'string' || typeof obj.name !== 'string')
    throw new PluginError(`plugin '${file}': not a Falco plugin (no name and requiredApiVersion exported)`);
  return obj;
}

/**
 * import() that stays import(): CommonJS output turns import() into require(), which cannot
 * load an .mjs on Node 20.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const importEsm = new Function('p', 'return import(p)') as (p: string) => Promise<unknown>;

function oneLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/** Checks the object's shape as the native loader checks a library's symbols. */
export function adoptPlugin(p: FalcoPlugin, where: string, kind: 'js' | 'built-in'): LoadedPlugin {
  const who = `plugin '${p.name}'`;
  const bad = apiCompatible(p.requiredApiVersion);
  if (bad !== null) throw new PluginError(`${who}: ${bad}`);
  const anySource = p.id !== undefined || p.eventSource !== undefined || p.open !== undefined;
  const sourcing = p.id !== undefined && p.eventSource !== undefined && typeof p.open === 'function';
  if (anySource && !sourcing)
    throw new PluginError(`${who}: event sourcing capability partially implemented (needs id, eventSource, open)`);
  if ((p.fields !== undefined) !== (typeof p.extract === 'function'))
    throw new PluginError(`${who}: field extraction capability partially implemented (needs fields and extract)`);
  const fields = p.fields ?? [];
  const schema =
    p.initSchema === undefined ? null : typeof p.initSchema === 'string' ? p.initSchema : JSON.stringify(p.initSchema);
  const call = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new PluginError(`${who}: ${what}: ${oneLine(e)}`);
    }
  };
  return {
    info: {
      name: p.name,
      version: p.version,
      description: p.description ?? '',
      contact: p.contact ?? '',
      requiredApiVersion: p.requiredApiVersion,
      path: where,
      kind,
      capabilities: { sourcing, extraction: fields.length > 0, parsing: typeof p.parse === 'function' },
      id: p.id,
      eventSource: p.eventSource,
      fields,
      extractEventSources: p.extractEventSources ?? (sourcing && fields.length > 0 ? [p.eventSource!] : []),
      initSchema: schema,
    },
    init: async (config) => {
      try {
        await p.init?.(config);
      } catch (e) {
        throw new PluginError(`${who}: could not initialize plugin: ${oneLine(e)}`);
      }
    },
    open: async (params) => {
      let inst;
      try {
        inst = await p.open!(params);
      } catch (e) {
        throw new PluginError(`${who}: could not open event source: ${oneLine(e)}`);
      }
      return sourceOf(who, p.id!, inst);
    },
    field: (name, arg) => bindField(p, who, name, arg, call),
    eventToString:
      typeof p.eventToString === 'function'
        ? (buf, off, evtnum) =>
            call('could not format event', () => p.eventToString!(eventInput(buf, off, evtnum, p.eventSource ?? '')))
        : undefined,
    parse:
      typeof p.parse === 'function'
        ? (buf, off, evtnum, source) =>
            call('could not parse event', () => p.parse!(eventInput(buf, off, evtnum, source)))
        : undefined,
    parseEventSources: p.parseEventSources ?? (sourcing ? [p.eventSource!] : []),
    destroy: () => call('destroy', () => p.destroy?.()),
  };
}

function sourceOf(
  who: string,
  id: number,
  inst: { next(): SourceBatch | Promise<SourceBatch>; close?(): void | Promise<void> },
): OpenedSource {
  return {
    next: async (): Promise<PluginBatch> => {
      let b: SourceBatch;
      try {
        b = await inst.next();
      } catch (e) {
        throw new PluginError(`${who}: could not read the next events: ${oneLine(e)}`);
      }
      if (b.kind === 'timeout') return { data: Buffer.alloc(0), count: 0, eof: false };
      const evs = b.events ?? [];
      const now = BigInt(Date.now()) * 1_000_000n;
      const data = encodePluginEvents(
        id,
        evs.map((e) => ({ data: typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data, ts: e.ts ?? now })),
      );
      return { data, count: evs.length, eof: b.kind === 'eof' };
    },
    close: async () => {
      await inst.close?.();
    },
  };
}

function bindField(
  p: FalcoPlugin,
  who: string,
  name: string,
  arg: string | null,
  call: <T>(what: string, f: () => T) => T,
): PluginFieldReader {
  const fields = p.fields ?? [];
  const fieldId = fields.findIndex((f) => f.name === name);
  if (fieldId < 0) throw new PluginError(`${who}: no field '${name}'`);
  const f = fields[fieldId];
  const req: ExtractRequest = { fieldId, field: name, argPresent: arg !== null };
  if (arg === null) {
    if (f.arg?.isRequired) throw new PluginError(`${who}: field '${name}' requires an argument`);
  } else if (f.arg?.isIndex) {
    if (!/^\d+$/.test(arg)) throw new PluginError(`${who}: field '${name}[${arg}]': the argument must be an index`);
    req.argIndex = Number(arg);
  } else if (f.arg?.isKey) req.argKey = arg;
  else throw new PluginError(`${who}: field '${name}' takes no argument`);
  const reqs = [req];
  return (buf, off, evtnum, source) =>
    call('could not extract fields', () => p.extract!(eventInput(buf, off, evtnum, source), reqs)[0]);
}

/** the event at `off` as a plugin sees it: a plugin event's payload, a syscall event whole */
function eventInput(buf: Buffer, off: number, evtnum: number, source: string): PluginEventInput {
  const type = eventType(buf, off);
  return {
    num: evtnum,
    ts: buf.readBigUInt64LE(off),
    source,
    type,
    data: type === PLUGIN_EVENT_CODE ? pluginEventPayload(buf, off) : buf.subarray(off, off + eventLength(buf, off)),
  };
}
