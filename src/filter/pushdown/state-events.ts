/**
 * Events the kernel filter never drops, so that the state stays whole for every process: a
 * process that cannot match now (wrong comm, uid...) may match after an exec or a setuid, and
 * then its names, fds, cwd and ancestors must be what a full capture would have given. Since
 * the creation, exec, exit, fd-table, cwd and credential events of *every* process pass, the
 * state of a process that starts to match is already right; the kernel test runs on each
 * event with the task's current comm/pid/uid, so an exec that renames a task changes the
 * verdict of its next events, not of earlier ones, which the full filter rejected too.
 *
 * The set: every code a state parser consumes (State.hasParser) or flagged EF_MODIFIES_STATE,
 * with its enter or exit partner (exit parsers read their stored enter event); events that are
 * not syscalls (internal, scheduler, meta events: the probe does not filter them). I/O on an
 * fd is state only on sockets (tuples, connected flag) and tracer fds: those are kept only
 * when the fd is one (RW_ON_SOCKET).
 */
import { EVENTS } from '../../event/generated/events';
import { State } from '../../state/state';
import '../../state/parsers';

/** per code: 1 = always passes the kernel filter */
export const STATE_KEPT = new Uint8Array(EVENTS.length);
/** per code: 1 = passes when its fd is a socket or a tracer fd */
export const RW_ON_SOCKET = new Uint8Array(EVENTS.length);

const NOT_SYSCALL = new Set(['EC_INTERNAL', 'EC_SCHEDULER', 'EC_UNKNOWN']);

/** the code of the other half of a syscall's enter/exit pair, or -1 */
export function partnerOf(code: number): number {
  const e = EVENTS[code];
  if (!e) return -1;
  const p = e.dir === 0 ? code + 1 : code - 1;
  const q = EVENTS[p];
  return q && q.name === e.name && q.dir !== e.dir ? p : -1;
}

for (const e of EVENTS) {
  if (!e) continue;
  const io = e.flags.includes('EF_READS_FROM_FD') || e.flags.includes('EF_WRITES_TO_FD');
  if (io) RW_ON_SOCKET[e.code] = 1;
  else if (
    NOT_SYSCALL.has(e.category) ||
    e.flags.includes('EF_SKIPPARSERESET') ||
    e.flags.includes('EF_MODIFIES_STATE') ||
    State.hasParser(e.code)
  )
    STATE_KEPT[e.code] = 1;
}
// partners: a kept enter's exit reads it, a kept exit needs its enter
for (let c = 0; c < EVENTS.length; c++) {
  if (STATE_KEPT[c] !== 1) continue;
  const p = partnerOf(c);
  if (p >= 0 && RW_ON_SOCKET[p] === 0) STATE_KEPT[p] = 1;
}
for (let c = 0; c < EVENTS.length; c++) {
  const p = partnerOf(c);
  if (RW_ON_SOCKET[c] === 1 && p >= 0 && STATE_KEPT[p] === 0) RW_ON_SOCKET[p] = 1;
}

/** The names of the always-kept events (for --explain), sorted. */
export function stateKeptNames(): string[] {
  const s = new Set<string>();
  for (let c = 0; c < EVENTS.length; c++) if (STATE_KEPT[c] === 1) s.add(EVENTS[c]!.name);
  return [...s].sort();
}

/** The names of the events kept on sockets, sorted. */
export function socketKeptNames(): string[] {
  const s = new Set<string>();
  for (let c = 0; c < EVENTS.length; c++) if (RW_ON_SOCKET[c] === 1) s.add(EVENTS[c]!.name);
  return [...s].sort();
}
