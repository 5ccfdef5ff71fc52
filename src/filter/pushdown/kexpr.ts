/**
 * The kernel part of a filter: a boolean formula over tests the probe can make on a raw event
 * (its code, the task's comm, pid, tid and uid, the return value, the fd argument), evaluated
 * in three-valued (Kleene) logic. A test the probe cannot decide for an event is UNKNOWN, and
 * so is every part of the filter the kernel cannot test at all; an event is dropped only when
 * the formula is definitely FALSE. Each test, when it answers TRUE or FALSE, answers what the
 * full filter's leaf would answer, so by monotonicity of Kleene logic a FALSE formula means
 * every possible value of the unknown leaves makes the filter false: nothing the filter
 * accepts is dropped. (This is the lower/upper approximation pair of each subterm: TRUE = the
 * lower bound holds, FALSE = the upper bound fails; `not` swaps them.)
 */

/** three-valued truth: the numbers let and/or be min/max */
export const enum K {
  F = 0,
  U = 1,
  T = 2,
}

export type NumOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** numbers the probe reads from the task or the syscall */
export type NumSubject = 'pid' | 'tid' | 'uid' | 'res' | 'fd';

export type KAtom =
  /** the event code is one of `codes` (all codes of the named events) */
  | { a: 'evtype'; codes: number[] }
  /** enter (`>`) or exit (`<`) */
  | { a: 'dir'; enter: boolean }
  /**
   * the task's comm (at most 15 bytes in the kernel) equals one of `eq` or starts with one of
   * `prefix`; `maybe` holds 15-byte heads of longer names: a comm equal to one is UNKNOWN
   * (the full name was cut off), `negate` flips the result (`!=`, `not in`: a present value
   * that is not in the set)
   */
  | { a: 'comm'; eq: string[]; prefix: string[]; maybe: string[]; negate: boolean }
  /** a number compared with each value: eq/in = any equal, ne = none equal, others the first */
  | { a: 'num'; subject: NumSubject; op: NumOp; values: number[] }
  /** the event has a return value and it is negative (evt.failed) */
  | { a: 'failed' };

export type KExpr =
  | { k: 'const'; v: K }
  | { k: 'and'; c: KExpr[] }
  | { k: 'or'; c: KExpr[] }
  | { k: 'not'; c: KExpr }
  | { k: 'atom'; atom: KAtom };

export const TRUE: KExpr = { k: 'const', v: K.T };
export const FALSE: KExpr = { k: 'const', v: K.F };
export const UNKNOWN: KExpr = { k: 'const', v: K.U };

const isConst = (e: KExpr, v: K): boolean => e.k === 'const' && e.v === v;

/** and, folding constants: FALSE absorbs, TRUE vanishes; UNKNOWN stays (it is not TRUE) */
export function kAnd(cs: KExpr[]): KExpr {
  const out: KExpr[] = [];
  for (const c of cs) {
    if (isConst(c, K.F)) return FALSE;
    if (isConst(c, K.T)) continue;
    if (c.k === 'and') out.push(...c.c);
    else out.push(c);
  }
  return simplifyUnknowns(out, 'and');
}

export function kOr(cs: KExpr[]): KExpr {
  const out: KExpr[] = [];
  for (const c of cs) {
    if (isConst(c, K.T)) return TRUE;
    if (isConst(c, K.F)) continue;
    if (c.k === 'or') out.push(...c.c);
    else out.push(c);
  }
  return simplifyUnknowns(out, 'or');
}

/** several UNKNOWNs in one and/or are one; an or with an UNKNOWN and nothing else is UNKNOWN */
function simplifyUnknowns(cs: KExpr[], k: 'and' | 'or'): KExpr {
  const known = cs.filter((c) => !isConst(c, K.U));
  const hasU = known.length !== cs.length;
  if (known.length === 0) return hasU ? UNKNOWN : k === 'and' ? TRUE : FALSE;
  const list = hasU ? [...known, UNKNOWN] : known;
  return list.length === 1 ? list[0] : { k, c: list };
}

export function kNot(c: KExpr): KExpr {
  if (c.k === 'const') return { k: 'const', v: (2 - c.v) as K };
  if (c.k === 'not') return c.c;
  return { k: 'not', c };
}

/**
 * What the kernel may drop on: the formula with the UNKNOWN parts that do not matter removed.
 * Only FALSE at the root drops, so in a positive position an `or` with an UNKNOWN child (never
 * FALSE) is UNKNOWN and an `and` may forget its UNKNOWN children (they are never FALSE); under
 * a `not` only TRUE matters and the roles swap. Replacing a part by UNKNOWN is always sound.
 */
export function prune(e: KExpr, positive = true): KExpr {
  switch (e.k) {
    case 'and':
    case 'or': {
      const cs = e.c.map((c) => prune(c, positive));
      const hasU = cs.some((c) => isConst(c, K.U));
      const weak = (e.k === 'or') === positive; // the connective an UNKNOWN child spoils
      if (hasU && weak) return UNKNOWN;
      const rest = cs.filter((c) => !isConst(c, K.U));
      return e.k === 'and' ? kAnd(rest) : kOr(rest);
    }
    case 'not':
      return kNot(prune(e.c, !positive));
    default:
      return e;
  }
}

const OP_SYM: Record<NumOp, string> = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** A readable rendering (for --explain); UNKNOWN is `?`, codes are printed as event names by `name`. */
export function renderKExpr(e: KExpr, name: (code: number) => string): string {
  switch (e.k) {
    case 'const':
      return e.v === K.T ? 'true' : e.v === K.F ? 'false' : '?';
    case 'and':
    case 'or':
      return '(' + e.c.map((c) => renderKExpr(c, name)).join(` ${e.k} `) + ')';
    case 'not':
      return 'not ' + renderKExpr(e.c, name);
    case 'atom':
      return renderAtom(e.atom, name);
  }
}

function renderAtom(a: KAtom, name: (code: number) => string): string {
  switch (a.a) {
    case 'evtype': {
      const names = [...new Set(a.codes.map(name))];
      return `type in (${names.join(', ')})`;
    }
    case 'dir':
      return a.enter ? 'dir = enter' : 'dir = exit';
    case 'comm': {
      const parts: string[] = [];
      if (a.eq.length > 0) parts.push(`comm in (${a.eq.join(', ')})`);
      for (const p of a.prefix) parts.push(`comm startswith ${p}`);
      for (const m of a.maybe) parts.push(`comm = ${m} (cut: ?)`);
      const s = parts.length === 1 ? parts[0] : '(' + parts.join(' or ') + ')';
      return a.negate ? `not ${s}` : s;
    }
    case 'num':
      return a.values.length === 1
        ? `${a.subject} ${OP_SYM[a.op]} ${a.values[0]}`
        : `${a.subject} ${a.op === 'ne' ? 'not in' : 'in'} (${a.values.join(', ')})`;
    case 'failed':
      return 'res < 0';
  }
}
