/**
 * Falco's --list [=SOURCE] (falco_engine::list_fields and libs' filter_fieldclass_info): every
 * field class of the source, as text (a block per class, descriptions wrapped at column 30 of
 * 120), markdown, or JSON; -N prints the names only; -v adds each field's type. falco-ts has
 * one event source, syscall; deprecated fields (the same list the rules loader warns about)
 * are left out, as Falco does.
 */
import { fieldRegistry } from '../../filter/fields/registry';
import type { FieldInfo } from '../../filter/field-api';
import { DEPRECATED_FIELDS } from '../../rules/compiler';
import type { ListFormat } from './options';
import { falcoJson } from './json';
import { wrapText } from './wrap';
import type { PluginSet } from '../../plugins/registry';
import { sourceFieldRegistry } from '../../filter/plugin-fields';

/** the event sources falco-ts has (no plugin adds one) */
export const EVENT_SOURCES = ['syscall'];

const RIGHT = 30;
const WIDTH = 120;

const typeOf = (f: FieldInfo): string => (f.ptype === 'DYN' ? 'DYNAMIC' : f.ptype);

/** libs' tags, a sorted set */
function tags(f: FieldInfo): string[] {
  const t: string[] = [];
  if (f.filterOnly) t.push('FILTER_ONLY');
  if (f.noRhs) t.push('EPF_NO_RHS');
  if (f.noTransformer) t.push('EPF_NO_TRANSFORMER');
  if (f.arg === 'required') t.push('ARG_REQUIRED');
  else if (f.arg === 'allowed') t.push('ARG_ALLOWED');
  if (f.isList) t.push('EPF_IS_LIST');
  return t.sort();
}

/** A field class with the event sources it applies to. */
type FieldClass = [name: string, fields: FieldInfo[], sources: string[]];

/** The listed fields by class, in the registry's order, then each plugin's (of `source`, or all). */
function classes(plugins: PluginSet | undefined, source: string): FieldClass[] {
  const by = new Map<string, FieldInfo[]>();
  if (source === '' || source === 'syscall')
    for (const f of fieldRegistry.list()) {
      if (DEPRECATED_FIELDS.includes(f.name)) continue;
      const l = by.get(f.cls);
      if (l === undefined) by.set(f.cls, [f]);
      else l.push(f);
    }
  const out: FieldClass[] = [...by].map(([n, fs]) => [n, fs, EVENT_SOURCES]);
  for (const a of plugins?.active ?? []) {
    const i = a.plugin.info;
    if (!i.capabilities.extraction || i.fields.length === 0) continue;
    const sources = plugins!.sources().filter((s) => plugins!.fieldsFor(s).some((f) => f.plugin === a.plugin));
    if (source !== '' && !sources.includes(source)) continue;
    const reg = sourceFieldRegistry(fieldRegistry, plugins!, sources[0] ?? 'syscall');
    out.push([i.name, reg.list().filter((f) => f.cls === i.name), sources]);
  }
  return out;
}

/** The output of --list (the caller checked the source). */
export function listFields(
  o: { format: ListFormat; namesOnly: boolean; verbose: boolean; list?: string | null },
  plugins?: PluginSet,
): string {
  const cls = classes(plugins, o.list ?? '');
  if (o.namesOnly) {
    const names = cls.flatMap(([, fs]) => fs.map((f) => f.name));
    return o.format === 'json' ? falcoJson({ fieldnames: names }, 2) + '\n' : names.map((n) => n + '\n').join('');
  }
  if (o.format === 'json') {
    const fieldclasses = cls.map(([name, fs, srcs]) => ({
      name,
      event_sources: srcs,
      fields: fs.map((f) => ({ name: f.name, type: typeOf(f), desc: f.desc, tags: tags(f) })),
    }));
    return falcoJson({ fieldclasses }, 2) + '\n';
  }
  let s = '';
  for (const [name, fs, srcs] of cls) {
    const sources = srcs.map((x) => x + ' ').join('');
    if (o.format === 'markdown') {
      s += `## Field Class: ${name}\n\nEvent Sources: ${sources}\n\nName | Type | Description\n:----|:-----|:-----------\n`;
      for (const f of fs) s += `\`${f.name}\` | ${f.isList ? `LIST(${typeOf(f)})` : typeOf(f)} | ${f.desc}\n`;
    } else {
      s += '-------------------------------\n';
      s += 'Field Class:'.padEnd(RIGHT) + name + '\n';
      s += 'Event Sources:'.padEnd(RIGHT) + sources + '\n\n';
      for (const f of fs) {
        s += f.name.length > RIGHT ? f.name + '\n' + ' '.repeat(RIGHT) : f.name.padEnd(RIGHT);
        const t = tags(f);
        let desc = (t.length > 0 ? `(${t.join(',')}) ` : '') + f.desc;
        if (o.verbose) desc = `(Type: ${typeOf(f)}) ${desc}`;
        s += wrapText(desc, RIGHT, WIDTH) + '\n';
      }
    }
    s += '\n'; // (printf("%s\n") of each class)
  }
  return s;
}
