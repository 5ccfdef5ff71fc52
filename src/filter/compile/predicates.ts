/**
 * Predicates on typed values (libsinsp `flt_compare`): one closure per operator and value
 * type, comparing an extracted value with a literal (or literals, under a modifier) or with a
 * right-hand value extracted from the same event.
 */
import type { FieldType, FieldValue } from '../field-api';
import { compileGlob, type GlobMatcher } from '../glob';
import { compileRegex } from '../regex';
import { OP_TEXT, PathPrefixSearch, asciiLower, includesAsciiCI, type Comparator, type Op } from '../operators';
import { inNet, normNum, type IpNet, type Literal, type Num } from '../values';

export type Pred = (v: FieldValue) => boolean;
export type Pred2 = (v: FieldValue, r: FieldValue) => boolean;

export const toBool = (v: FieldValue): boolean => v === true || v === 1;
export const asBuf = (v: FieldValue): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1'));
const numKey = (v: FieldValue): FieldValue => (typeof v === 'bigint' ? normNum(v) : v);

export function bufEq(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/** Set-membership test for in / intersects / `= anyof` (values already typed). */
export function makeHas(type: FieldType, lits: Literal[]): Pred {
  switch (type) {
    case 'string': {
      const s = new Set(lits as string[]);
      return (v) => s.has(v as string);
    }
    case 'bool': {
      const s = new Set(lits as boolean[]);
      return (v) => s.has(toBool(v));
    }
    case 'ipaddr': {
      const v4 = new Set<number>();
      const v6: Buffer[] = [];
      for (const l of lits as Buffer[])
        if (l.length === 4) v4.add(l.readUInt32BE(0));
        else v6.push(l);
      return (v) => {
        const b = v as Buffer;
        if (b.length === 4) return v4.has(b.readUInt32BE(0));
        for (const x of v6) if (bufEq(b, x)) return true;
        return false;
      };
    }
    case 'ipnet': {
      const nets = lits as IpNet[];
      return (v) => {
        for (const n of nets) if (inNet(v as Buffer, n)) return true;
        return false;
      };
    }
    case 'bytebuf': {
      const bufs = lits as Buffer[];
      return (v) => {
        const b = asBuf(v);
        for (const x of bufs) if (bufEq(b, x)) return true;
        return false;
      };
    }
    default: {
      const s = new Set<FieldValue>(lits as Num[]);
      return (v) => s.has(numKey(v));
    }
  }
}

/** Predicate of one operator against one literal (v is never null). */
export function makePred(type: FieldType, op: Op, lit: Literal, raw: string): Pred {
  switch (type) {
    case 'string': {
      const a = lit as string;
      switch (op) {
        case 'eq':
          return (v) => v === a;
        case 'ne':
          return (v) => v !== a;
        case 'lt':
          return (v) => (v as string) < a;
        case 'le':
          return (v) => (v as string) <= a;
        case 'gt':
          return (v) => (v as string) > a;
        case 'ge':
          return (v) => (v as string) >= a;
        case 'contains':
          return (v) => (v as string).includes(a);
        case 'icontains': {
          const l = asciiLower(a);
          return (v) => includesAsciiCI(v as string, l);
        }
        case 'startswith':
          return (v) => (v as string).startsWith(a);
        case 'endswith':
          return (v) => (v as string).endsWith(a);
        case 'glob': {
          const m = compileGlob(a, false);
          return (v) => m(v as string);
        }
        case 'iglob': {
          const m = compileGlob(a, true);
          return (v) => m(v as string);
        }
        case 'regex': {
          const m = compileRegex(raw);
          return (v) => m(v as string);
        }
        default:
          break;
      }
      break;
    }
    case 'bytebuf': {
      const a = lit as Buffer;
      const n = a.length;
      switch (op) {
        case 'eq':
          return (v) => bufEq(asBuf(v), a);
        case 'ne':
          return (v) => !bufEq(asBuf(v), a);
        case 'contains':
        case 'bcontains':
          return (v) => asBuf(v).indexOf(a) !== -1;
        case 'startswith':
        case 'bstartswith':
          return (v) => {
            const b = asBuf(v);
            return b.length >= n && a.compare(b, 0, n) === 0;
          };
        case 'endswith':
          return (v) => {
            const b = asBuf(v);
            return b.length >= n && a.compare(b, b.length - n) === 0;
          };
        default:
          break;
      }
      break;
    }
    case 'bool': {
      const a = lit as boolean;
      if (op === 'eq') return (v) => toBool(v) === a;
      if (op === 'ne') return (v) => toBool(v) !== a;
      break;
    }
    case 'ipaddr': {
      const a = lit as Buffer;
      if (a.length === 4) {
        const u = a.readUInt32BE(0);
        if (op === 'eq') return (v) => (v as Buffer).length === 4 && (v as Buffer).readUInt32BE(0) === u;
        if (op === 'ne') return (v) => !((v as Buffer).length === 4 && (v as Buffer).readUInt32BE(0) === u);
      } else {
        if (op === 'eq') return (v) => bufEq(v as Buffer, a);
        if (op === 'ne') return (v) => !bufEq(v as Buffer, a);
      }
      break;
    }
    case 'ipnet': {
      const n = lit as IpNet;
      if (op === 'eq') return (v) => inNet(v as Buffer, n);
      if (op === 'ne') return (v) => !inNet(v as Buffer, n);
      break;
    }
    default: {
      // numeric: loose comparisons are exact across number/bigint
      const a = lit as Num;
      switch (op) {
        case 'eq':
          return (v) => v == a;
        case 'ne':
          return (v) => v != a;
        case 'lt':
          return (v) => (v as Num) < a;
        case 'le':
          return (v) => (v as Num) <= a;
        case 'gt':
          return (v) => (v as Num) > a;
        case 'ge':
          return (v) => (v as Num) >= a;
        default:
          break;
      }
    }
  }
  throw new Error(`'${OP_TEXT[op]}' operator not supported for type ${type}`);
}

/** Predicate comparing two extracted values of the same type (val() / transformer RHS). */
export function makePred2(type: FieldType, op: Op): Pred2 {
  switch (type) {
    case 'string': {
      let lastPat: string | null = null;
      let lastM: GlobMatcher | null = null;
      const glob =
        (fold: boolean): Pred2 =>
        (v, r) => {
          if (r !== lastPat) {
            lastPat = r as string;
            lastM = compileGlob(lastPat, fold);
          }
          return lastM!(v as string);
        };
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => v === r;
        case 'ne':
          return (v, r) => v !== r;
        case 'lt':
          return (v, r) => (v as string) < (r as string);
        case 'le':
          return (v, r) => (v as string) <= (r as string);
        case 'gt':
          return (v, r) => (v as string) > (r as string);
        case 'ge':
          return (v, r) => (v as string) >= (r as string);
        case 'contains':
          return (v, r) => (v as string).includes(r as string);
        case 'icontains':
          return (v, r) => includesAsciiCI(v as string, asciiLower(r as string));
        case 'startswith':
          return (v, r) => (v as string).startsWith(r as string);
        case 'endswith':
          return (v, r) => (v as string).endsWith(r as string);
        case 'glob':
          return glob(false);
        case 'iglob':
          return glob(true);
        default:
          break;
      }
      break;
    }
    case 'bytebuf':
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => bufEq(asBuf(v), asBuf(r));
        case 'ne':
          return (v, r) => !bufEq(asBuf(v), asBuf(r));
        case 'contains':
        case 'bcontains':
          return (v, r) => asBuf(v).indexOf(asBuf(r)) !== -1;
        case 'startswith':
        case 'bstartswith':
          return (v, r) => {
            const b = asBuf(v);
            const a = asBuf(r);
            return b.length >= a.length && a.compare(b, 0, a.length) === 0;
          };
        case 'endswith':
          return (v, r) => {
            const b = asBuf(v);
            const a = asBuf(r);
            return b.length >= a.length && a.compare(b, b.length - a.length) === 0;
          };
        default:
          break;
      }
      break;
    case 'bool':
      if (op === 'eq' || op === 'in' || op === 'intersects') return (v, r) => toBool(v) === toBool(r);
      if (op === 'ne') return (v, r) => toBool(v) !== toBool(r);
      break;
    case 'ipaddr':
      if (op === 'eq' || op === 'in' || op === 'intersects') return (v, r) => bufEq(v as Buffer, r as Buffer);
      if (op === 'ne') return (v, r) => !bufEq(v as Buffer, r as Buffer);
      break;
    case 'ipnet':
      break;
    default:
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => v == r;
        case 'ne':
          return (v, r) => v != r;
        case 'lt':
          return (v, r) => (v as Num) < (r as Num);
        case 'le':
          return (v, r) => (v as Num) <= (r as Num);
        case 'gt':
          return (v, r) => (v as Num) > (r as Num);
        case 'ge':
          return (v, r) => (v as Num) >= (r as Num);
        default:
          break;
      }
  }
  throw new Error(`'${OP_TEXT[op]}' operator not supported for type ${type}`);
}

/** Predicate on one (non-null, scalar) value against the literal(s). */
export function constPred(type: FieldType, cmp: Comparator, lits: Literal[], raws: string[]): Pred {
  const op = cmp.op;
  if (cmp.mod !== null) {
    if (lits.length === 0) return () => false;
    if (cmp.mod === 'anyof' && op === 'eq') return makeHas(type, lits);
    if (cmp.mod === 'allof' && op === 'ne') {
      const h = makeHas(type, lits);
      return (v) => !h(v);
    }
    const preds = lits.map((l, i) => makePred(type, op, l, raws[i]));
    const k = preds.length;
    switch (cmp.mod) {
      case 'anyof':
        return (v) => {
          for (let i = 0; i < k; i++) if (preds[i](v)) return true;
          return false;
        };
      case 'allof':
        return (v) => {
          for (let i = 0; i < k; i++) if (!preds[i](v)) return false;
          return true;
        };
      case 'oneof':
        return (v) => {
          let c = 0;
          for (let i = 0; i < k; i++) if (preds[i](v) && ++c > 1) return false;
          return c === 1;
        };
    }
  }
  if (op === 'in' || op === 'intersects') return makeHas(type, lits);
  if (op === 'pmatch') {
    const t = new PathPrefixSearch();
    for (const l of lits) t.add(l as string);
    return (v) => t.match(v as string);
  }
  if (lits.length !== 1) throw new Error(`operator '${OP_TEXT[op]}' expects a single value`);
  return makePred(type, op, lits[0], raws[0]);
}
