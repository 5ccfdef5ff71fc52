/**
 * Flag-table resolution as libsinsp e5c53d64 renders PT_FLAGS8/16/32 and PT_MODE params
 * (sinsp_evt::get_param_as_str), plus the exact-name lookup newer libs use for PT_ENUMFLAGS.
 *
 * The libs loop, over the table in its declared order:
 *   - stop at the first entry whose value equals the original value (exact match); that
 *     entry's name is appended last, after whatever bits were collected before it;
 *   - otherwise an entry is taken when its value is 0 and the original value is 0, or when its
 *     (non-zero) bits are all still set in the remaining value, which then loses those bits.
 * Names are joined with '|'. Results are memoized per table (values repeat a lot).
 */
import { FLAG_TABLES } from '../event/generated/flags';

export class FlagTable {
  readonly names: string[];
  readonly values: Uint32Array;
  private readonly memo = new Map<number, string>();
  private readonly enumMemo = new Map<number, string>();

  constructor(
    readonly tableName: string,
    entries: ReadonlyArray<readonly [string, number]>,
  ) {
    this.names = entries.map((e) => e[0]);
    this.values = Uint32Array.from(entries.map((e) => e[1] >>> 0));
  }

  /** The resolved string for a flags/mode value ('' when nothing matches). */
  resolve(value: number): string {
    const initial = value >>> 0;
    let s = this.memo.get(initial);
    if (s !== undefined) return s;
    s = this.compute(initial);
    if (this.memo.size > 8192) this.memo.clear();
    this.memo.set(initial, s);
    return s;
  }

  private compute(initial: number): string {
    const names = this.names,
      values = this.values,
      n = values.length;
    let val = initial;
    let out = '';
    let sep = '';
    let i = 0;
    for (; i < n; i++) {
      const fv = values[i];
      if (fv === initial) break;
      if ((fv === 0 && initial === 0) || (fv !== 0 && (val & fv) >>> 0 === fv && val !== 0)) {
        out += sep + names[i];
        sep = '|';
        val = (val & ~fv) >>> 0;
      }
    }
    if (i < n) out += sep + names[i];
    return out;
  }

  /** PT_ENUMFLAGS* (newer libs): the name of the entry equal to the value, else ''. */
  enumName(value: number): string {
    const v = value >>> 0;
    let s = this.enumMemo.get(v);
    if (s !== undefined) return s;
    s = '';
    for (let i = 0; i < this.values.length; i++) {
      if (this.values[i] === v) {
        s = this.names[i];
        break;
      }
    }
    this.enumMemo.set(v, s);
    return s;
  }
}

const CACHE = new Map<string, FlagTable | null>();

/** The compiled table for a param's `info` name, or null when the name is not a flag table. */
export function flagTable(name: string | null): FlagTable | null {
  if (name === null) return null;
  let t = CACHE.get(name);
  if (t !== undefined) return t;
  const e = Object.prototype.hasOwnProperty.call(FLAG_TABLES, name) ? FLAG_TABLES[name] : undefined;
  t = e === undefined ? null : new FlagTable(name, e);
  CACHE.set(name, t);
  return t;
}

/** Convenience: resolve `value` against the named table ('' if unknown table or no match). */
export function resolveFlags(tableName: string, value: number): string {
  const t = flagTable(tableName);
  return t === null ? '' : t.resolve(value);
}
