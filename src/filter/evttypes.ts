/**
 * Which event codes can a filter match? (libsinsp `filter/ppm_codes.cpp`, `ppm_event_codes`)
 *
 * - `evt.type` / `syscall.type` leaves (no argument, no transformer) compared with = == != in
 *   give a set of names, mapped to *all* codes with those names (enter, exit, old versions);
 *   names that are only syscall names (no dedicated event) map to the generic events 0/1.
 * - `and` intersects, `or` unions; `not` is pushed to the leaves (De Morgan) and complements
 *   only leaves that carry codes (`evt.type` checks, and `evt.type exists`); any other leaf is
 *   neutral (all codes).
 * - A field/transformer on the right of an `evt.type` check, or a transformer around
 *   `evt.type`, throws, as in libsinsp (Falco then fails to load the rule).
 *
 * Used to index rules by event type and to select syscalls in the kernel.
 */
import type { BinaryCheckNode, Node } from './ast';
import { EVENTS } from '../event/generated/events';
import { PPM_SC_NAMES } from '../event/generated/syscall-names';

/** Number of event codes (PPM_EVENT_MAX of our table). */
export const EVENT_CODE_COUNT = EVENTS.length;

const PPME_GENERIC_E = 0;
const PPME_GENERIC_X = 1;

/** event name → codes (≥ 2, as libsinsp skips the generic events here) */
const CODES_BY_NAME = new Map<string, number[]>();
for (const e of EVENTS) {
  if (!e || e.code < 2) continue;
  const l = CODES_BY_NAME.get(e.name);
  if (l) l.push(e.code); else CODES_BY_NAME.set(e.name, [e.code]);
}
const ALL_EVENT_NAMES = new Set<string>();
for (const e of EVENTS) if (e) ALL_EVENT_NAMES.add(e.name);
const SC_NAMES = new Set<string>(PPM_SC_NAMES);

/** True if `name` is a known event or syscall name (or one of `extra`, e.g. plugin async events). */
export function isKnownEventName(name: string, extra?: ReadonlySet<string>): boolean {
  return ALL_EVENT_NAMES.has(name) || SC_NAMES.has(name) || (extra !== undefined && extra.has(name));
}

/** libsinsp names_to_event_set */
export function namesToEventCodes(names: Iterable<string>): Set<number> {
  const out = new Set<number>();
  let remaining = false;
  for (const n of names) {
    const codes = CODES_BY_NAME.get(n);
    if (codes) for (const c of codes) out.add(c);
    else if (SC_NAMES.has(n)) remaining = true;
  }
  if (remaining) { out.add(PPME_GENERIC_E); out.add(PPME_GENERIC_X); }
  return out;
}

/** Every event code 0..EVENT_CODE_COUNT-1 (libsinsp all_event_set). */
export function allEventCodes(): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < EVENT_CODE_COUNT; i++) s.add(i);
  return s;
}

/** Thrown for evt.type checks the analysis cannot handle. */
export class EventTypeAnalysisError extends Error {
  constructor(message: string, readonly pos: number) { super(message); }
}

const isEvttypeOp = (op: string): boolean => op === '==' || op === '=' || op === '!=' || op === 'in';
const isEvttypeField = (n: Node): boolean =>
  n.kind === 'field' && (n.field === 'evt.type' || n.field === 'syscall.type') && n.arg === null;

/**
 * Event codes a filter AST can match; identifiers (unresolved macros) are neutral.
 * Returns a fresh Set (all codes when nothing restricts it).
 */
export function eventCodesOf(ast: Node): Set<number> {
  const all = allEventCodes();
  const diff = (s: Set<number>): Set<number> => {
    const r = new Set<number>();
    for (const c of all) if (!s.has(c)) r.add(c);
    return r;
  };
  const inter = (a: Set<number>, b: Set<number>): Set<number> => {
    const r = new Set<number>();
    for (const c of a) if (b.has(c)) r.add(c);
    return r;
  };
  const union = (a: Set<number>, b: Set<number>): Set<number> => {
    const r = new Set(a);
    for (const c of b) r.add(c);
    return r;
  };

  // `neg` = inside an odd number of nots
  const visit = (n: Node, neg: boolean): Set<number> => {
    switch (n.kind) {
      case 'and':
      case 'or': {
        const conj = (n.kind === 'and') !== neg;
        let acc: Set<number> | null = conj ? all : new Set<number>();
        for (const c of n.children) {
          const s = visit(c, neg);
          acc = conj ? inter(acc, s) : union(acc, s);
        }
        return acc;
      }
      case 'not': return visit(n.child, !neg);
      case 'unary': {
        checkNoTransformedEvttype(n.left);
        const hasCodes = isEvttypeField(n.left);
        return neg && hasCodes ? new Set<number>() : all;
      }
      case 'binary': {
        if (!isEvttypeOp(n.op)) return all;
        checkNoTransformedEvttype(n.left);
        return isEvttypeField(n.left) ? leafCodes(n, neg) : all;
      }
      default:
        return all;
    }
  };

  const leafCodes = (n: BinaryCheckNode, neg: boolean): Set<number> => {
    const r = n.right;
    let names: string[];
    if (r.kind === 'value') names = [r.value];
    else if (r.kind === 'list') names = r.values;
    else {
      throw new EventTypeAnalysisError(
        'right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search', r.start);
    }
    let codes = namesToEventCodes(names);
    if (neg) codes = diff(codes);
    if (n.op === '!=') codes = diff(codes);
    return codes;
  };

  return visit(ast, false);
}

function checkNoTransformedEvttype(n: Node): void {
  if (n.kind !== 'transformer') return;
  for (const a of n.args) {
    if (isEvttypeField(a)) {
      throw new EventTypeAnalysisError('event code search does not support `evt.type` checks with transformers', a.start);
    }
    checkNoTransformedEvttype(a);
  }
}

/** Like eventCodesOf, but null when every code can match (the filter is not restricted). */
export function eventTypesOf(ast: Node): Set<number> | null {
  const s = eventCodesOf(ast);
  return s.size >= EVENT_CODE_COUNT ? null : s;
}
