/**
 * A test harness until the plugin engine exists: the fields of TypeScript plugins as a filter
 * FieldRegistry, so the rules compiler can compile and judge rules of a plugin source. An
 * "event" here is a PluginEventView (a plugin event in an object) passed where the compiler
 * expects an EventView; other names fall through to the base registry (syscall rules still
 * compile). Values become byte strings (latin1 JS strings), as the filter compares them; a
 * list prints as "(a,b)", as libsinsp prints list fields.
 */
import type { EventView } from '../../src/event/view';
import type { ExtractRequest, FalcoPlugin, PluginEventInput, PluginField, PluginValue } from '../../src/plugins/api';
import {
  FieldError,
  type BoundField,
  type FieldInfo,
  type FieldRegistry,
  type FieldValue,
} from '../../src/filter/field-api';

export interface PluginEventView {
  pluginEvent: PluginEventInput;
}

const bytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

function toFieldValue(v: PluginValue): FieldValue {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => bytes(String(x)));
  if (typeof v === 'string') return bytes(v);
  return String(v);
}

class PluginBound implements BoundField {
  constructor(
    readonly info: FieldInfo,
    readonly arg: string | null,
    private readonly plugin: FalcoPlugin,
    private readonly req: ExtractRequest,
  ) {}

  extract(ev: EventView): FieldValue {
    const e = (ev as unknown as PluginEventView).pluginEvent;
    return toFieldValue(this.plugin.extract!(e, [this.req])[0]);
  }

  format(ev: EventView): string | null {
    const v = this.extract(ev);
    if (v === null) return null;
    return Array.isArray(v) ? `(${v.join(',')})` : String(v);
  }
}

export function pluginFieldRegistry(plugins: readonly FalcoPlugin[], base: FieldRegistry): FieldRegistry {
  const byName = new Map<string, { plugin: FalcoPlugin; field: PluginField; id: number }>();
  for (const plugin of plugins)
    plugin.fields?.forEach((field, id) => {
      byName.set(field.name, { plugin, field, id });
    });
  const infoOf = (f: PluginField): FieldInfo => ({
    name: f.name,
    type: 'string',
    ptype: 'CHARBUF',
    desc: f.desc,
    arg: f.arg?.isRequired ? 'required' : f.arg ? 'allowed' : 'none',
    filterOnly: false,
    isList: f.isList === true,
    cls: f.name.split('.')[0],
  });
  const names = [...byName.keys()];
  return {
    bind(name, arg) {
      const hit = byName.get(name);
      if (!hit) return base.bind(name, arg);
      const { plugin, field, id } = hit;
      if (arg === null && field.arg?.isRequired) throw new FieldError(`filter_check called without argument: ${name}`);
      if (arg !== null && !field.arg) throw new FieldError(`field ${name} does not take an argument`);
      const req: ExtractRequest = { fieldId: id, field: name, argPresent: arg !== null };
      if (arg !== null && field.arg?.isIndex) {
        if (!/^\d+$/.test(arg)) throw new FieldError(`index argument must be a number: ${name}[${arg}]`);
        req.argIndex = Number(arg);
      } else if (arg !== null) req.argKey = arg;
      return new PluginBound(infoOf(field), arg, plugin, req);
    },
    matchPrefix(text, pos) {
      let best = 0;
      for (const n of names) if (n.length > best && text.startsWith(n, pos)) best = n.length;
      return Math.max(best, base.matchPrefix(text, pos));
    },
    list() {
      return [...base.list(), ...[...byName.values()].map((h) => infoOf(h.field))];
    },
  };
}
