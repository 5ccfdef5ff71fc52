/** The boolean structure of a compiled filter: and / or of child closures, unrolled for short lists. */
import type { Node } from '../ast';
import { childrenByEventCode } from '../evttypes';
import type { EvalFn } from './source';

export function andOf(fs: EvalFn[]): EvalFn {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (ev, st) => a(ev, st) && b(ev, st);
  }
  if (fs.length === 3) {
    const [a, b, c] = fs;
    return (ev, st) => a(ev, st) && b(ev, st) && c(ev, st);
  }
  const n = fs.length;
  return (ev, st) => {
    for (let i = 0; i < n; i++) if (!fs[i](ev, st)) return false;
    return true;
  };
}

export function orOf(fs: EvalFn[]): EvalFn {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (ev, st) => a(ev, st) || b(ev, st);
  }
  if (fs.length === 3) {
    const [a, b, c] = fs;
    return (ev, st) => a(ev, st) || b(ev, st) || c(ev, st);
  }
  const n = fs.length;
  return (ev, st) => {
    for (let i = 0; i < n; i++) if (fs[i](ev, st)) return true;
    return false;
  };
}

/**
 * A long `or` (e.g. several rules' conditions) evaluates, per event, only the children whose
 * event-type analysis admits the event's code, as the rules engine's index does; codes beyond
 * the table evaluate every child.
 */
export function orByEventCode(children: readonly Node[], fs: EvalFn[]): EvalFn | null {
  const byCode = childrenByEventCode(children);
  if (byCode === null) return null;
  const memo = new Map<number[], EvalFn>();
  const never: EvalFn = () => false;
  const table = byCode.map((idx) => {
    let f = memo.get(idx);
    if (f === undefined) {
      f = idx.length === 0 ? never : orOf(idx.map((i) => fs[i]));
      memo.set(idx, f);
    }
    return f;
  });
  const all = orOf(fs);
  const n = table.length;
  return (ev, st) => (ev.type < n ? table[ev.type] : all)(ev, st);
}
