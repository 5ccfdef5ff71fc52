/**
 * How the k8saudit fields walk an audit event: a key path where every array met on the way is
 * either fanned out (each element walked with the rest of the path; an element lacking the
 * path counts as a missing value) or, when the field has an index argument, replaced by its
 * N-th element. An empty key stands for the value itself. Values stay JSON until the field
 * turns them into strings.
 */
import { asString, child, getPath, type Json } from '../json/json-value';

/** the event does not have the value: the field has none (not an error) */
export class NotAvailable extends Error {}

/**
 * The one instance thrown: a missing value is the common case (most rules test fields most
 * events lack), and a new Error per throw captures a stack each time (~15% of a rules run).
 */
export const NOT_AVAILABLE = new NotAvailable();

/** a value of the wrong JSON type: an extraction error, as the Go plugin reports it */
export class WrongType extends Error {
  constructor() {
    super('wrong type conversion');
  }
}

/** no index argument: fan out over every array */
export const ALL = -1;

/** The values at `keys` (undefined: an array element lacking the rest of the path). */
export function walk(v: Json, index: number, keys: readonly string[], from = 0): (Json | undefined)[] {
  let cur: Json | undefined = v;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(cur)) {
      if (index === ALL) {
        const out: (Json | undefined)[] = [];
        for (const el of cur) {
          try {
            out.push(...walk(el, index, keys, i));
          } catch (e) {
            if (!(e instanceof NotAvailable)) throw e;
            out.push(undefined);
          }
        }
        return out;
      }
      if (index >= cur.length) throw NOT_AVAILABLE;
      cur = cur[index];
    }
    cur = keys[i] === '' ? cur : child(cur, keys[i]);
    if (cur === undefined) throw NOT_AVAILABLE;
  }
  return [cur];
}

/** The value at `keys` (no fan-out); NotAvailable when missing. */
export function at(doc: Json, keys: readonly string[]): Json {
  const v = getPath(doc, keys);
  if (v === undefined) throw NOT_AVAILABLE;
  return v;
}

/** every value as a string; a missing one is a WrongType error */
export function strings(vals: readonly (Json | undefined)[]): string[] {
  return vals.map((v) => {
    if (v === undefined) throw new WrongType();
    return asString(v);
  });
}

/** the values present, as strings */
export function presentStrings(vals: readonly (Json | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of vals) if (v !== undefined) out.push(asString(v));
  return out;
}

/** every value as a string, `dflt` for a missing one */
export function stringsOr(vals: readonly (Json | undefined)[], dflt: string): string[] {
  return vals.map((v) => (v === undefined ? dflt : asString(v)));
}

/** an array's items as strings; a value that is not an array is a WrongType error */
export function itemStrings(v: Json): string[] {
  if (!Array.isArray(v)) throw new WrongType();
  return v.map(asString);
}
