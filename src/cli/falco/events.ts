/**
 * Falco's --list-events (actions/print_syscall_events.cpp) and -i (print_ignored_events.cpp)
 * over our event table. The table (libs e5c53d64 and later codes) lacks the newer category
 * bits, so tracepoints are named here; metaevents are the EC_INTERNAL/EC_METAEVENT ones.
 * Ignored, as Falco's ignored_sc_set: the I/O syscalls (EC_IO_READ/EC_IO_WRITE) that do not
 * modify the state. Generic syscalls (PPME_GENERIC_E per syscall name) are not listed.
 */
import { EVENTS } from '../../event/generated/events';
import { FLAG_TABLES } from '../../event/generated/flags';
import { PT_NAMES, type EventInfo, type ParamInfo } from '../../event/types';
import type { ListFormat } from './options';
import { falcoJson } from './json';
import { falcoVersions } from './version';

const TRACEPOINTS = /^PPME_(PROCEXIT(_\d)?|SCHEDSWITCH_\d|SIGNALDELIVER|PAGE_FAULT)_[EX]$/;
const CATEGORIES = ['Syscall events', 'Tracepoint events', 'Plugin events', 'Metaevents'] as const;

function categoryOf(e: EventInfo): number {
  if (TRACEPOINTS.test(e.enumName)) return 1;
  if (/^PPME_PLUGINEVENT_[EX]$/.test(e.enumName)) return 2;
  if (/EC_INTERNAL|EC_METAEVENT/.test(e.category)) return 3;
  return 0;
}

const isIgnored = (e: EventInfo): boolean =>
  /EC_IO_(READ|WRITE)/.test(e.category) && !e.flags.includes('EF_MODIFIES_STATE');

/** the events Falco lists: not generic, old, unused or unknown */
function listed(): EventInfo[] {
  return EVENTS.filter(
    (e): e is EventInfo =>
      e !== null &&
      e.code > 1 &&
      !e.flags.includes('EF_OLD_VERSION') &&
      !e.flags.includes('EF_UNUSED') &&
      !e.category.includes('EC_UNKNOWN'),
  );
}

const typeName = (p: ParamInfo): string => (PT_NAMES[p.type] === 'DYN' ? 'DYNAMIC' : (PT_NAMES[p.type] ?? 'UNKNOWN'));
const flagNames = (p: ParamInfo): string[] | null =>
  /FLAGS/.test(PT_NAMES[p.type] ?? '') && p.info !== null && FLAG_TABLES[p.info] !== undefined
    ? FLAG_TABLES[p.info].map(([n]) => n)
    : null;

function paramText(p: ParamInfo, markdown: boolean): string {
  const f = flagNames(p);
  const base = `${typeName(p)} **${p.name}**`;
  return f === null ? base : `${base}: ${f.map((n) => (markdown ? `*${n}*` : n)).join(', ')}`;
}

export function listEvents(format: ListFormat): string {
  const byCat: EventInfo[][] = [[], [], [], []];
  for (const e of listed()) byCat[categoryOf(e)].push(e);
  const schema = falcoVersions().driver_schema_version || 'n/a';
  if (format === 'json') {
    const root: Record<string, unknown> = { schema_version: schema };
    CATEGORIES.forEach((c, i) => {
      root[c] = byCat[i].map((e) => ({
        name: e.name,
        dir: e.dir === 0 ? '>' : '<',
        available: !isIgnored(e),
        params: e.params.map((p) => {
          const f = flagNames(p);
          return f === null ? { type: typeName(p), name: p.name } : { type: typeName(p), name: p.name, flags: f };
        }),
      }));
    });
    return falcoJson(root, 2) + '\n';
  }
  const md = format === 'markdown';
  let s = `The events below are valid for Falco *Schema Version*: ${schema}\n`;
  CATEGORIES.forEach((c, i) => {
    s += `## ${c}\n\n`;
    if (md) s += 'Default | Dir | Name | Params \n:-------|:----|:-----|:-----\n';
    for (const e of byCat[i]) {
      const dir = e.dir === 0 ? '>' : '<';
      const params = e.params.map((p) => paramText(p, md)).join(', ');
      s += md
        ? `${isIgnored(e) ? 'No' : 'Yes'} | \`${dir}\` | \`${e.name}\` | ${params}\n`
        : `${dir} ${e.name}(${params})\n`;
    }
    s += '\n';
  });
  return s;
}

export function ignoredEvents(): string {
  const names = [
    ...new Set(
      listed()
        .filter(isIgnored)
        .map((e) => e.name),
    ),
  ].sort();
  return 'Ignored syscall(s):\n' + names.map((n) => `- ${n}\n`).join('') + '\n';
}
