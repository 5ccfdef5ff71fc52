/**
 * sysdig -l, -lv and --list-markdown: our field catalog in sysdig 0.29.3's layout (libsinsp's
 * list_fields): per field class a header, then each field with its description from column 30,
 * wrapped at word boundaries to 120 columns, every word followed by a space.
 *
 * The classes are sysdig's: our `proc` and `thread` fields make its "process" class, our
 * generic `evt` fields (libsinsp's gen_event check) its "evt (All event types)". Classes that
 * 0.29.3 does not have (fs.path, util: current libs) follow under their own names.
 */
import { fieldRegistry } from '../../filter/fields/registry';
import type { FieldInfo } from '../../filter/field-api';
import { fieldType } from '../list';

interface SysdigClass {
  name: string;
  short?: string;
  desc: string;
}

/** sysdig 0.29.3's field classes, in its order, with the headers it prints */
const CLASSES: SysdigClass[] = [
  { name: 'evt', short: 'All event types', desc: 'These fields can be used for all event types' },
  {
    name: 'evt',
    short: 'Syscall events only',
    desc: 'Event fields applicable to syscall events. Note that for most events you can access the individual arguments/parameters of each syscall via evt.arg, e.g. evt.arg.filename.',
  },
  { name: 'process', desc: 'Additional information about the process and thread executing the syscall event.' },
  { name: 'user', desc: 'Information about the user executing the specific event.' },
  { name: 'group', desc: 'Information about the user group.' },
  {
    name: 'container',
    desc: "Container information. If the event is not happening inside a container, both id and name will be set to 'host'.",
  },
  {
    name: 'fd',
    desc: 'Every syscall that has a file descriptor in its arguments has these fields set with information related to the file.',
  },
  {
    name: 'fs.path',
    desc: 'Every syscall that has a filesystem path in its arguments has these fields set with information related to the path arguments.',
  },
  { name: 'syslog', desc: 'Content of Syslog messages.' },
  { name: 'fdlist', desc: 'Poll event related fields.' },
  {
    name: 'k8s',
    desc: 'Kubernetes related context. Available when configured to fetch k8s meta-data from API Server.',
  },
  { name: 'mesos', desc: 'Mesos related context.' },
  { name: 'span', desc: 'Fields used if information about distributed tracing is available.' },
  { name: 'evtin', desc: 'Fields used if information about distributed tracing is available.' },
  { name: 'util', desc: 'Utility fields.' },
];

/** libsinsp's gen_event fields: sysdig's "evt (All event types)" */
const GENERIC_EVT =
  /^evt\.(num|time|time\.s|time\.iso8601|datetime|datetime\.s|rawtime|rawtime\.s|rawtime\.ns|reltime|reltime\.s|reltime\.ns|pluginname|plugininfo|source|hostname|is_async|asynctype)$/;

function classIndex(f: FieldInfo): number {
  if (f.cls === 'evt') return GENERIC_EVT.test(f.name) ? 0 : 1;
  const name = f.cls === 'proc' || f.cls === 'thread' ? 'process' : f.cls;
  const i = CLASSES.findIndex((c, k) => k > 1 && c.name === name);
  return i >= 0 ? i : CLASSES.length;
}

const INDENT = 30;
const WIDTH = 120;

/** text from column `col` (the cursor is there), each word and a space, wrapped at WIDTH */
function wrapped(text: string, col: number): string {
  let s = '';
  let len = col;
  for (const w of text.split(' ')) {
    if (len + w.length + 1 > WIDTH && len > INDENT) {
      s += '\n' + ' '.repeat(INDENT);
      len = INDENT;
    }
    s += w + ' ';
    len += w.length + 1;
  }
  return s;
}

function grouped(): { c: SysdigClass; fields: FieldInfo[] }[] {
  const groups = CLASSES.map((c) => ({ c, fields: [] as FieldInfo[] }));
  const other = new Map<string, FieldInfo[]>();
  for (const f of fieldRegistry.list()) {
    const i = classIndex(f);
    if (i < CLASSES.length) groups[i].fields.push(f);
    else other.set(f.cls, [...(other.get(f.cls) ?? []), f]);
  }
  for (const [cls, fields] of other) groups.push({ c: { name: cls, desc: '' }, fields });
  return groups.filter((g) => g.fields.length > 0);
}

export function sysdigFieldList(verbose: boolean): string {
  let s = '';
  for (const { c, fields } of grouped()) {
    s += '-------------------------------\n';
    s += 'Field Class:'.padEnd(INDENT) + c.name + (c.short !== undefined ? ` (${c.short})` : '') + '\n';
    s += 'Description:'.padEnd(INDENT) + wrapped(c.desc, INDENT) + '\n\n';
    for (const f of fields) {
      // a name as long as the indent goes on a line of its own
      s += f.name.length >= INDENT ? f.name + '\n' + ' '.repeat(INDENT) : f.name.padEnd(INDENT);
      let desc = (f.filterOnly ? '(FILTER ONLY) ' : '') + f.desc;
      if (verbose) desc = `(Type: ${fieldType(f)}) ${desc}`;
      s += wrapped(desc, INDENT) + '\n';
    }
    s += '\n';
  }
  return s;
}

export function sysdigFieldMarkdown(): string {
  let s = '';
  for (const { c, fields } of grouped()) {
    s += `\n## Field Class: ${c.name}\n\n${c.desc}\n\nName | Type | Description\n:----|:-----|:-----------\n`;
    for (const f of fields) s += `\`${f.name}\` | ${fieldType(f)} | ${f.desc}\n`;
  }
  return s;
}
