/**
 * falco.yaml's `static_fields` (libsinsp's sinsp_filter_check_static): each `name: value`
 * is a string field `static.name` whose value is the same on every event, usable in
 * conditions and outputs; with suggested_output it is appended as `static_name=%static.name`.
 */
import type { BoundField, FieldInfo, FieldRegistry } from '../filter/field-api';

const PREFIX = 'static.';

export class StaticFieldsRegistry implements FieldRegistry {
  private readonly infos: FieldInfo[];

  constructor(
    readonly base: FieldRegistry,
    private readonly fields: Readonly<Record<string, string>>,
  ) {
    this.infos = Object.keys(fields).map((k) => ({
      name: PREFIX + k,
      type: 'string',
      ptype: 'PT_CHARBUF',
      desc: 'A static field set in falco.yaml (static_fields).',
      arg: 'none',
      filterOnly: false,
      isList: false,
      cls: 'static',
    }));
  }

  bind(name: string, arg: string | null): BoundField {
    const info = this.infos.find((i) => i.name === name);
    if (info === undefined || arg !== null) return this.base.bind(name, arg);
    const value = this.fields[name.slice(PREFIX.length)];
    return { info, arg: null, extract: () => value, format: () => value };
  }

  matchPrefix(text: string, pos: number): number {
    let best = this.base.matchPrefix(text, pos);
    for (const i of this.infos) {
      // (a static name is whole: `static.foo` is not the start of `static.foobar`)
      const end = pos + i.name.length;
      if (i.name.length > best && text.startsWith(i.name, pos) && !/[\w.]/.test(text[end] ?? '')) best = i.name.length;
    }
    return best;
  }

  list(): readonly FieldInfo[] {
    return [...this.base.list(), ...this.infos];
  }
}

/** The suggested output of the static fields: ` static_foo=%static.foo ...` */
export function staticSuggestedOutput(fields: Readonly<Record<string, string>>): string {
  return Object.keys(fields)
    .map((k) => `static_${k}=%${PREFIX}${k}`)
    .join(' ');
}
