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
import { GENERIC_E, GENERIC_X, isGeneric } from '../event/codes';

/** Number of event codes (PPM_EVENT_MAX of our table). */
export const EVENT_CODE_COUNT = EVENTS.length;

/** event name → codes (not the generic events: libsinsp skips them here) */
const CODES_BY_NAME = new Map<string, number[]>();
for (const e of EVENTS) {
  if (!e || isGeneric(e.code)) continue;
  const l = CODES_BY_NAME.get(e.name);
  if (l) l.push(e.code);
  else CODES_BY_NAME.set(e.name, [e.code]);
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
  if (remaining) {
    out.add(GENERIC_E);
    out.add(GENERIC_X);
  }
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
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const isEvttypeOp = (op: string): boolean => op === '==' || op === '=' || op === '!=' || op === 'in';
const isEvttypeField = (n: Node): boolean =>
  n.kind === 'field' && (n.field === 'evt.type' || n.field === 'syscall.type') && n.arg === null;

/** A set of event codes as one byte per code (1 = in): set algebra without hashing. */
type Bits = Uint8Array;
/** every code; shared, never written (the operations below always return new arrays or an operand) */
const ALL_BITS: Bits = new Uint8Array(EVENT_CODE_COUNT).fill(1);

function isAll(a: Bits): boolean {
  if (a === ALL_BITS) return true;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) return false;
  return true;
}
function interBits(a: Bits, b: Bits): Bits {
  if (a === ALL_BITS) return b;
  if (b === ALL_BITS) return a;
  const r = new Uint8Array(EVENT_CODE_COUNT);
  for (let i = 0; i < r.length; i++) r[i] = a[i] & b[i];
  return r;
}
function unionBits(a: Bits, b: Bits): Bits {
  if (a === ALL_BITS || b === ALL_BITS) return ALL_BITS;
  const r = new Uint8Array(EVENT_CODE_COUNT);
  for (let i = 0; i < r.length; i++) r[i] = a[i] | b[i];
  return r;
}
function diffBits(a: Bits): Bits {
  const r = new Uint8Array(EVENT_CODE_COUNT);
  for (let i = 0; i < r.length; i++) r[i] = a[i] ^ 1;
  return r;
}

/**
 * Event codes a filter AST can match; identifiers (unresolved macros) are neutral.
 * Returns a fresh Set (all codes when nothing restricts it).
 */
export function eventCodesOf(ast: Node): Set<number> {
  return toSet(codeBits(ast));
}

/**
 * For the children of an `or`: per event code, the indexes of the children that can match an
 * event of that code (in order; shared arrays for equal index lists). null when fewer than two
 * children are restricted to some codes, or a child's `evt.type` checks cannot be analysed.
 */
export function childrenByEventCode(children: readonly Node[]): number[][] | null {
  let bits: Bits[];
  try {
    bits = children.map((c) => codeBits(c));
  } catch (e) {
    if (e instanceof EventTypeAnalysisError) return null;
    throw e;
  }
  if (bits.filter((b) => !isAll(b)).length < 2) return null;
  const byKey = new Map<string, number[]>();
  const out: number[][] = [];
  for (let code = 0; code < EVENT_CODE_COUNT; code++) {
    const idx: number[] = [];
    for (let i = 0; i < bits.length; i++) if (bits[i][code] === 1) idx.push(i);
    const key = idx.join(',');
    let shared = byKey.get(key);
    if (shared === undefined) {
      shared = idx;
      byKey.set(key, idx);
    }
    out.push(shared);
  }
  return out;
}

function toSet(b: Bits): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < b.length; i++) if (b[i] === 1) out.add(i);
  return out;
}

function codeBits(ast: Node): Bits {
  // `neg` = inside an odd number of nots
  const visit = (n: Node, neg: boolean): Bits => {
    switch (n.kind) {
      case 'and':
      case 'or': {
        const conj = (n.kind === 'and') !== neg;
        let acc: Bits = conj ? ALL_BITS : new Uint8Array(EVENT_CODE_COUNT);
        for (const c of n.children) {
          const s = visit(c, neg);
          acc = conj ? interBits(acc, s) : unionBits(acc, s);
        }
        return acc;
      }
      case 'not':
        return visit(n.child, !neg);
      case 'unary': {
        checkNoTransformedEvttype(n.left);
        const hasCodes = isEvttypeField(n.left);
        return neg && hasCodes ? new Uint8Array(EVENT_CODE_COUNT) : ALL_BITS;
      }
      case 'binary': {
        if (!isEvttypeOp(n.op)) return ALL_BITS;
        checkNoTransformedEvttype(n.left);
        return isEvttypeField(n.left) ? leafCodes(n, neg) : ALL_BITS;
      }
      default:
        return ALL_BITS;
    }
  };

  const leafCodes = (n: BinaryCheckNode, neg: boolean): Bits => {
    const r = n.right;
    let names: string[];
    if (r.kind === 'value') names = [r.value];
    else if (r.kind === 'list') names = r.values;
    else {
      throw new EventTypeAnalysisError(
        'right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search',
        r.start,
      );
    }
    let codes: Bits = new Uint8Array(EVENT_CODE_COUNT);
    for (const c of namesToEventCodes(names)) codes[c] = 1;
    if (neg) codes = diffBits(codes);
    if (n.op === '!=') codes = diffBits(codes);
    return codes;
  };

  return visit(ast, false);
}

function checkNoTransformedEvttype(n: Node): void {
  if (n.kind !== 'transformer') return;
  for (const a of n.args) {
    if (isEvttypeField(a)) {
      throw new EventTypeAnalysisError(
        'event code search does not support `evt.type` checks with transformers',
        a.start,
      );
    }
    checkNoTransformedEvttype(a);
  }
}

/** Like eventCodesOf, but null when every code can match (the filter is not restricted). */
export function eventTypesOf(ast: Node): Set<number> | null {
  const b = codeBits(ast);
  return isAll(b) ? null : toSet(b);
}
