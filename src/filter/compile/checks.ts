/**
 * A check's evaluation: applies a value predicate to what its left source extracts, by the
 * source's shape (scalar, list, candidates, around). A missing value makes the check false
 * whatever the operator; the hottest scalar shapes compare the literal inline.
 */
import type { FieldValue } from '../field-api';
import type { Comparator } from '../operators';
import type { Literal, Num } from '../values';
import type { Pred, Pred2 } from './predicates';
import type { EvalFn, Source } from './source';

/** `exists`: the source has a value (candidates: at least one). */
export function existsEval(L: Source): EvalFn {
  const g = L.get;
  if (L.values) {
    const vs = L.values;
    return (ev, st) => {
      const a = vs(ev, st);
      return a !== null && a.length > 0;
    };
  }
  return (ev, st) => g(ev, st) !== null;
}

/** Applies a value predicate according to the source's shape (scalar, list, candidates, around). */
export function constEval(L: Source, cmp: Comparator, pred: Pred, lits: Literal[]): EvalFn {
  const g = L.get;
  if (L.mode === 'around') {
    const d = lits[0] as Num;
    return (ev, st) => {
      const v = g(ev, st);
      return v !== null && (v as Num) <= d;
    };
  }
  if (L.values) {
    const vs = L.values;
    if (L.mode === 'endpoints' && cmp.op === 'ne' && cmp.mod === null) {
      return (ev, st) => {
        const a = vs(ev, st);
        if (a === null || a.length === 0) return false;
        for (let i = 0; i < a.length; i++) if (a[i] === null || !pred(a[i])) return false;
        return true;
      };
    }
    return (ev, st) => {
      const a = vs(ev, st);
      if (a === null) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== null && pred(a[i])) return true;
      return false;
    };
  }
  if (L.isList) {
    if (cmp.op === 'in') {
      return (ev, st) => {
        const a = g(ev, st) as FieldValue[] | null;
        if (a === null) return false;
        for (let i = 0; i < a.length; i++) if (!pred(a[i])) return false;
        return true;
      };
    }
    return (ev, st) => {
      const a = g(ev, st) as FieldValue[] | null;
      if (a === null) return false;
      for (let i = 0; i < a.length; i++) if (pred(a[i])) return true;
      return false;
    };
  }
  // scalar: specialise the hottest shapes so the literal is compared inline
  if (cmp.mod === null && lits.length === 1) {
    const a = lits[0];
    if (L.type === 'string') {
      const s = a as string;
      switch (cmp.op) {
        case 'eq':
          return (ev, st) => g(ev, st) === s;
        case 'ne':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && v !== s;
          };
        case 'startswith':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as string).startsWith(s);
          };
        case 'contains':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as string).includes(s);
          };
        case 'endswith':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as string).endsWith(s);
          };
        default:
          break;
      }
    } else if (typeof a === 'number') {
      switch (cmp.op) {
        case 'eq':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && v == a;
          };
        case 'ne':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && v != a;
          };
        case 'lt':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as Num) < a;
          };
        case 'le':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as Num) <= a;
          };
        case 'gt':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as Num) > a;
          };
        case 'ge':
          return (ev, st) => {
            const v = g(ev, st);
            return v !== null && (v as Num) >= a;
          };
        default:
          break;
      }
    }
  }
  if ((cmp.op === 'in' || cmp.op === 'intersects') && L.type === 'string' && cmp.mod === null) {
    const set = new Set(lits as string[]);
    return (ev, st) => {
      const v = g(ev, st);
      return v !== null && set.has(v as string);
    };
  }
  return (ev, st) => {
    const v = g(ev, st);
    return v !== null && pred(v);
  };
}

/** Field-to-field comparison (val(x) or a transformer on the right), per the left source's shape. */
export function fieldEval(L: Source, R: Source, cmp: Comparator, p2: Pred2): EvalFn {
  const lg = L.get;
  const rg = R.get;
  const member = cmp.op === 'in' || cmp.op === 'intersects';
  // value vs right-hand value(s)
  const one = (v: FieldValue, rv: FieldValue): boolean => {
    if (member) {
      if (Array.isArray(rv)) {
        for (const x of rv) if (p2(v, x)) return true;
        return false;
      }
      return p2(v, rv);
    }
    return p2(v, rv);
  };
  if (L.values) {
    const vs = L.values;
    const all = L.mode === 'endpoints' && cmp.op === 'ne';
    return (ev, st) => {
      const a = vs(ev, st);
      if (a === null || a.length === 0) return false;
      const rv = rg(ev, st);
      if (rv === null) return false;
      if (all) {
        for (const v of a) if (v === null || !one(v, rv)) return false;
        return true;
      }
      for (const v of a) if (v !== null && one(v, rv)) return true;
      return false;
    };
  }
  if (L.isList) {
    const every = cmp.op === 'in';
    return (ev, st) => {
      const a = lg(ev, st) as FieldValue[] | null;
      if (a === null) return false;
      const rv = rg(ev, st);
      if (rv === null) return false;
      if (every) {
        for (const v of a) if (!one(v, rv)) return false;
        return true;
      }
      for (const v of a) if (one(v, rv)) return true;
      return false;
    };
  }
  return (ev, st) => {
    const v = lg(ev, st);
    if (v === null) return false;
    const rv = rg(ev, st);
    return rv !== null && one(v, rv);
  };
}
