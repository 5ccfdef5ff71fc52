/**
 * Predicate pushdown: the part of a filter (or of the loaded rules) the probe can test before
 * an event is copied to userspace, and what the kernel must keep regardless for the state.
 * Userspace still evaluates the whole filter, so results are exact; the kernel part only has
 * to be a necessary condition.
 */
import type { Node } from '../ast';
import { astToString } from '../ast';
import { EVENTS } from '../../event/generated/events';
import { kernelPart, kernelPartOfAny } from './split';
import { prune, renderKExpr, type KExpr } from './kexpr';
import { socketKeptNames, stateKeptNames } from './state-events';

export { kernelPart, kernelPartOfAny } from './split';
export { prune, renderKExpr, K } from './kexpr';
export type { KExpr, KAtom } from './kexpr';
export { KernelFilterModel } from './model';
export { STATE_KEPT, RW_ON_SOCKET, stateKeptNames, socketKeptNames } from './state-events';

/**
 * What the probe's name filter can run of a kernel part (pruned): the recorded names an event's
 * task must have, when the kernel part requires one of them (a positive comm test, alone or in
 * a top-level and); null otherwise. The 15-byte heads of longer names are included: such a
 * comm passes (UNKNOWN in the kernel part).
 */
export function kernelNamesOf(k: KExpr): string[] | null {
  const parts = k.k === 'and' ? k.c : [k];
  for (const p of parts) {
    if (p.k !== 'atom' || p.atom.a !== 'comm') continue;
    const a = p.atom;
    if (a.negate || a.prefix.length > 0) continue;
    return [...a.eq, ...a.maybe];
  }
  return null;
}

const codeName = (c: number): string => EVENTS[c]?.name ?? String(c);

/** The kernel part of filters of which any may match, pruned to what the kernel can drop on. */
export function pushdownOf(asts: readonly Node[]): KExpr {
  return prune(asts.length === 1 ? kernelPart(asts[0]) : kernelPartOfAny(asts));
}

/**
 * `capture --explain`: the kernel part, the userspace part (`user`, default: the filter's
 * text) and what the state keeps.
 */
export function explainPushdown(asts: readonly Node[], user?: string): string[] {
  const k = pushdownOf(asts);
  user ??= asts.length === 1 ? astToString(asts[0]) : `any of ${asts.length} conditions`;
  return [
    `kernel part: ${renderKExpr(k, codeName)}`,
    `  (? = not testable in the kernel; an event is dropped only when the kernel part is false;`,
    `   comm, pid and uid tests are ? for a task whose name the probe has not recorded)`,
    `userspace part: ${user}`,
    `  (the whole filter, evaluated on every event the kernel passes)`,
    `kept for the state (always passed): ${stateKeptNames().join(' ')}`,
    `kept for the state on sockets and tracer fds: ${socketKeptNames().join(' ')}`,
  ];
}
