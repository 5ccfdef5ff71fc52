/**
 * `falco-ts list events [--json]`: the event table, one line per direction, in sysdig -L's
 * layout (`> open(FSPATH name, FLAGS32 flags, UINT32 mode)`); events of codes newer than
 * sysdig 0.29.3's libs follow its 265 lines.
 * `falco-ts list fields [--json]`: the field catalog as tables per class, like sysdig -l.
 */
import type TableT from 'cli-table3';
import { EVENTS } from '../event/generated/events';
import type { EventInfo } from '../event/types';
import { PT_NAMES } from '../event/types';
import { fieldRegistry } from '../filter/fields/registry';
import type { FieldInfo } from '../filter/field-api';
import { Out } from '../util/out';
import type { Command } from 'commander';
import { colorEnabled, makeChalk } from '../format/colors';
import { lazy } from '../util/lazy';
import { InputError } from '../util/errors';

/** the table code loads only when a table is printed */
const tableModule = lazy(() => require('cli-table3') as typeof TableT);

/** Events sysdig lists: not unused, not old versions, not internal. */
export function listedEvents(): EventInfo[] {
  return EVENTS.filter(
    (e): e is EventInfo =>
      e !== null &&
      !e.flags.includes('EF_UNUSED') &&
      !e.flags.includes('EF_OLD_VERSION') &&
      !e.category.includes('EC_INTERNAL'),
  );
}

function paramType(t: number): string {
  const n = PT_NAMES[t] ?? 'UNKNOWN';
  return n === 'DYN' ? 'DYNAMIC' : n;
}

/** sysdig -L lines. */
export function eventLines(): string[] {
  return listedEvents().map(
    (e) => `${e.dir === 0 ? '>' : '<'} ${e.name}(${e.params.map((p) => `${paramType(p.type)} ${p.name}`).join(', ')})`,
  );
}

export function eventsJson(): unknown[] {
  return listedEvents().map((e) => ({
    code: e.code,
    name: e.name,
    dir: e.dir === 0 ? '>' : '<',
    category: e.category,
    flags: [...e.flags],
    params: e.params.map((p) => ({ name: p.name, type: paramType(p.type) })),
  }));
}

/** sysdig -l's tags in front of a field's description. */
export function fieldTags(f: FieldInfo): string {
  const t: string[] = [];
  if (f.filterOnly) t.push('(FILTER_ONLY)');
  if (f.arg === 'required') t.push('(ARG_REQUIRED)');
  if (f.arg === 'allowed') t.push('(ARG_ALLOWED)');
  if (f.isList) t.push('(EPF_IS_LIST)');
  return t.join(' ');
}

/** A field's type as sysdig -l and current libs name it (the registry's DYN is PT_DYN: "DYNAMIC"). */
export function fieldType(f: FieldInfo): string {
  return f.ptype === 'DYN' ? 'DYNAMIC' : f.ptype;
}

export function fieldsJson(): unknown[] {
  return fieldRegistry.list().map((f) => ({
    name: f.name,
    class: f.cls,
    type: fieldType(f),
    desc: f.desc,
    arg: f.arg,
    filter_only: f.filterOnly,
    is_list: f.isList,
  }));
}

/** The field catalog as one table per field class, sized to `width` columns. */
export function renderFields(width: number, color = false): string {
  const c = makeChalk(color);
  const all = fieldRegistry.list();
  const classes: string[] = [];
  const byClass = new Map<string, FieldInfo[]>();
  for (const f of all) {
    if (!byClass.has(f.cls)) {
      byClass.set(f.cls, []);
      classes.push(f.cls);
    }
    byClass.get(f.cls)!.push(f);
  }
  const nameW = Math.min(48, Math.max(...all.map((f) => f.name.length)) + 2);
  const typeW = Math.max(...all.map((f) => fieldType(f).length)) + 2;
  const descW = Math.max(30, width - nameW - typeW - 4);
  const parts: string[] = [];
  for (const cls of classes) {
    const t = new (tableModule())({
      head: [c.bold('Field'), c.bold('Type'), c.bold('Description')],
      colWidths: [nameW, typeW, descW],
      wordWrap: true,
      wrapOnWordBoundary: true,
      style: { head: [], border: [], compact: true },
    });
    for (const f of byClass.get(cls)!) {
      const tags = fieldTags(f);
      t.push([c.green(f.name), fieldType(f), (tags !== '' ? tags + ' ' : '') + f.desc]);
    }
    parts.push(`${c.bold('Field Class:')} ${cls} (${byClass.get(cls)!.length} fields)\n${t.toString()}`);
  }
  return parts.join('\n\n') + '\n';
}

export interface ListOptions {
  what: string;
  json: boolean;
  color?: boolean;
  /** terminal width for the fields table (default: stdout's, else 120) */
  width?: number;
}

export function list(opts: ListOptions): number {
  const out = new Out(1);
  let text: string;
  if (opts.what === 'events') {
    text = opts.json ? JSON.stringify(eventsJson(), null, 2) + '\n' : eventLines().join('\n') + '\n';
  } else if (opts.what === 'fields') {
    text = opts.json
      ? JSON.stringify(fieldsJson(), null, 2) + '\n'
      : renderFields(opts.width ?? (process.stdout.isTTY ? (process.stdout.columns ?? 120) : 120), opts.color === true);
  } else {
    process.stderr.write(`falco-ts: list: expected 'events' or 'fields', got '${opts.what}'\n`);
    return 2;
  }
  out.write(Buffer.from(text, 'utf8').toString('latin1'));
  out.flush();
  return 0;
}

/** `falco-ts list plugins [-c falco.yaml]`: the configured plugins, loaded, as Falco lists them. */
async function listPlugins(config: string | undefined): Promise<number> {
  const C = require('../config/falco-config') as typeof import('../config/falco-config');
  const { loadPluginSet } = require('./plugins') as typeof import('./plugins');
  const { listPluginsText } = require('./plugin-info') as typeof import('./plugin-info');
  const cfg = C.loadFalcoConfig(config ?? null);
  const set = await loadPluginSet({ plugins: cfg.plugins }, (m) => new InputError(m, 1));
  process.stdout.write(listPluginsText(set));
  set.destroy();
  return 0;
}

/** `falco-ts list events|fields|plugins` (commander wiring). */
export function registerList(program: Command, setCode: (c: number) => void): void {
  program
    .command('list')
    .description('catalogues: the event table (like sysdig -L) or the filter/output fields (like sysdig -l)')
    .argument('<what>', "'events', 'fields' or 'plugins'")
    .option('--json', 'machine-readable JSON')
    .option('-c, --config <file>', "plugins: the falco.yaml whose plugins: to load (as Falco's --list-plugins)")
    .option('--no-color', 'no colours (also NO_COLOR=1; colours only on a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  falco-ts list events | grep openat
  falco-ts list fields | less -S
  falco-ts list fields --json | jq -r '.[] | select(.class == "fd") | .name'`,
    )
    .action(async (what: string, o: Record<string, unknown>) => {
      if (what === 'plugins') return setCode(await listPlugins(o.config as string | undefined));
      setCode(
        list({ what, json: o.json === true, color: colorEnabled(process.stdout, { noColor: o.color === false }) }),
      );
    });
}
