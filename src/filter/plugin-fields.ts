/**
 * The fields of one event source with plugins loaded (libs' per-source filter check list):
 * the plugins' fields that apply to the source, over the source's own fields. For syscall that
 * is the whole catalog; a plugin source has only the generic event fields (Falco's
 * gen_event: evt.num, evt.time, ...), as Falco compiles its rules. evt.source and evt.pluginname
 * come from the event's plugin id.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import { PF } from '../event/types';
import { PLUGIN_EVENT_CODE } from '../plugins/native/plugin-event';
import { PluginError, type PluginFieldValue } from '../plugins/loaded-plugin';
import { SYSCALL_SOURCE, type PluginSet, type SourceField } from '../plugins/registry';
import type { PluginFieldType } from '../plugins/api';
import {
  type BoundField,
  FieldError,
  type FieldInfo,
  type FieldRegistry,
  type FieldType,
  type FieldValue,
} from './field-api';
import { renderValue } from './fields/common';

/** the fields libs' sinsp_filter_check_gen_event offers every source */
const GEN_EVENT_FIELDS = new Set(
  (
    'evt.num evt.time evt.time.s evt.time.iso8601 evt.datetime evt.datetime.s evt.rawtime evt.rawtime.s ' +
    'evt.rawtime.ns evt.reltime evt.reltime.s evt.reltime.ns evt.pluginname evt.plugininfo evt.source ' +
    'evt.is_async evt.asynctype evt.hostname'
  ).split(' '),
);

const TYPES: Record<PluginFieldType, [FieldType, string]> = {
  uint64: ['uint', 'UINT64'],
  string: ['string', 'CHARBUF'],
  reltime: ['reltime', 'RELTIME'],
  abstime: ['abstime', 'ABSTIME'],
  bool: ['bool', 'BOOL'],
  ipaddr: ['ipaddr', 'IPADDR'],
  ipnet: ['ipnet', 'IPNET'],
};

/** The source an event belongs to: its plugin's source for a plugin event, else syscall. */
export function eventSourceOf(plugins: PluginSet, ev: EventView): string | null {
  if (ev.type !== PLUGIN_EVENT_CODE) return SYSCALL_SOURCE;
  return plugins.sourceOfId(ev.u32(0))?.plugin.info.eventSource ?? null;
}

/** The registry of `source`: its plugin fields over `base` (restricted for plugin sources). */
export function sourceFieldRegistry(base: FieldRegistry, plugins: PluginSet, source: string): FieldRegistry {
  const fields = new Map<string, SourceField>();
  for (const f of plugins.fieldsFor(source)) if (!fields.has(f.field.name)) fields.set(f.field.name, f);
  const baseOk = (name: string): boolean => source === SYSCALL_SOURCE || GEN_EVENT_FIELDS.has(name);
  const infos = [...fields.values()].map(infoOf);
  const maxLen = Math.max(0, ...[...fields.keys()].map((n) => n.length));
  return {
    bind(name, arg) {
      const f = fields.get(name);
      if (f !== undefined) return bindPluginField(f, arg, source);
      if (name === 'evt.source' || name === 'evt.pluginname' || name === 'evt.plugininfo')
        return evtField(base.bind(name, arg), plugins, name);
      if (!baseOk(name)) throw new FieldError(`filter_check called with nonexistent field ${name}`);
      return base.bind(name, arg);
    },
    matchPrefix(text, pos) {
      for (let e = Math.min(text.length, pos + maxLen); e > pos; e--)
        if (fields.has(text.slice(pos, e))) return e - pos;
      const n = base.matchPrefix(text, pos);
      return n > 0 && baseOk(text.slice(pos, pos + n)) ? n : 0;
    },
    list: () => [...infos, ...base.list().filter((i) => baseOk(i.name))],
  };
}

function infoOf(f: SourceField): FieldInfo {
  const d = f.field;
  const [type, ptype] = TYPES[d.type] ?? ['string', 'CHARBUF'];
  return {
    name: d.name,
    type,
    ptype,
    desc: d.desc,
    arg: d.arg?.isRequired ? 'required' : d.arg?.isIndex || d.arg?.isKey ? 'allowed' : 'none',
    filterOnly: false,
    isList: d.isList === true,
    cls: f.plugin.info.name,
  };
}

function bindPluginField(f: SourceField, arg: string | null, source: string): BoundField {
  const info = infoOf(f);
  let read;
  try {
    read = f.plugin.field(info.name, arg);
  } catch (e) {
    if (e instanceof PluginError) throw new FieldError(e.message);
    throw e;
  }
  const own = f.plugin.info.eventSource;
  const extract = (ev: EventView): FieldValue => {
    // an extractor for another source's events has nothing to say about this one
    if (ev.type === PLUGIN_EVENT_CODE ? source === SYSCALL_SOURCE : source !== SYSCALL_SOURCE) return null;
    if (own !== undefined && ev.type === PLUGIN_EVENT_CODE && own !== source) return null;
    return toFieldValue(read(ev.buf, ev.off, ev.num, source), info.type);
  };
  return {
    info,
    arg,
    extract,
    format: (ev) => renderValue(extract(ev), info.ptype, PF.DEC),
    formatExtracted: (v) => renderValue(v, info.ptype, PF.DEC),
  };
}

/** evt.source, evt.pluginname and evt.plugininfo of plugin events: from the loaded plugin of the event's id */
function evtField(b: BoundField, plugins: PluginSet, name: string): BoundField {
  const value = (ev: EventView, st: State): string | null => {
    if (ev.type !== PLUGIN_EVENT_CODE) return b.extract(ev, st) as string | null;
    const a = plugins.sourceOfId(ev.u32(0));
    if (a === undefined) return null;
    if (name === 'evt.plugininfo') {
      const text = a.plugin.eventToString?.(ev.buf, ev.off, ev.num);
      return text === undefined ? null : Buffer.from(text, 'utf8').latin1Slice(0, Buffer.byteLength(text));
    }
    return name === 'evt.source' ? a.plugin.info.eventSource! : a.plugin.info.name;
  };
  return { info: b.info, arg: b.arg, extract: value, format: value, formatExtracted: (v) => v as string | null };
}

function toFieldValue(v: PluginFieldValue, type: FieldType): FieldValue {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => scalar(x, type) as string | number);
  return scalar(v, type);
}

function scalar(v: string | number | bigint | boolean | Uint8Array, type: FieldType): FieldValue {
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  // (strings compare as bytes: latin1 JS strings of the UTF-8 text)
  if (typeof v === 'string') return type === 'string' ? Buffer.from(v, 'utf8').latin1Slice(0, Buffer.byteLength(v)) : v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length);
  return v;
}

/**
 * The fields of every source at once, for a trace holding several (syscalls and plugin events):
 * a field binds from the first source that has it, and reads nothing on another source's events.
 */
export function allSourcesFieldRegistry(base: FieldRegistry, plugins: PluginSet): FieldRegistry {
  const regs = plugins.sources().map((s) => sourceFieldRegistry(base, plugins, s));
  return {
    bind(name, arg) {
      let first: unknown;
      for (const r of regs) {
        try {
          return r.bind(name, arg);
        } catch (e) {
          if (!(e instanceof FieldError)) throw e;
          first ??= e;
        }
      }
      throw first as Error;
    },
    matchPrefix: (text, pos) => Math.max(...regs.map((r) => r.matchPrefix(text, pos))),
    list: () => {
      const seen = new Set<string>();
      return regs.flatMap((r) => r.list()).filter((i) => !seen.has(i.name) && seen.add(i.name) !== undefined);
    },
  };
}
