/**
 * A userspace model of the probe's kernel filter: what it would pass, per event, from what the
 * kernel knows when the event happens. Used to test the split (test/pushdown.test.ts) on
 * recorded traces and to count what a pushed-down capture would drop.
 *
 * What the model reads stands for what the probe reads:
 * - the event code and, for the enter of a syscall, the code its exit will have;
 * - comm, pid, uid: the kernel knows them for every task, but they answer only for a task the
 *   state knows by an event or the process list, as the probe's per-task table of names
 *   recorded at clone/exec/snapshot would (a state placeholder, `<NA>`, is a task the probe
 *   has no record of: UNKNOWN). The recorded name, not the live comm: prctl(PR_SET_NAME)
 *   renames a task without an event, and proc.name keeps the old name;
 * - tid: always;
 * - the return value: on an exit; an enter's is UNKNOWN;
 * - the fd argument of an enter: it answers FALSE only (the state may not hold that fd, then
 *   fd.num has no value);
 * - whether the event's fd is a socket (RW_ON_SOCKET).
 *
 * An enter event passes if it or its exit may match: exit parsers and fields (evt.latency,
 * fd of a read) read the enter, so an exit never passes without its enter.
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import type { ThreadInfo } from '../../state/threadinfo';
import { EVENTS } from '../../event/generated/events';
import { isGeneric } from '../../event/codes';
import { FdFlags } from '../../state/fdinfo';
import { FdType } from '../../scap/metadata';
import { EF, EVT_FLAGS } from '../fields/common';
import { resIndex } from '../fields/evt';
import { COMM_MAX } from './split';
import { K, type KAtom, type KExpr, type NumOp } from './kexpr';
import { RW_ON_SOCKET, STATE_KEPT, partnerOf } from './state-events';

/** the event being judged: as itself, or (an enter) as the exit it will have */
interface Ctx {
  ev: EventView;
  st: State;
  asExit: boolean;
}
type Eval = (c: Ctx) => K;

const FD_FLAGS = EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD;
const IS_ENTER = new Uint8Array(EVENTS.length);
const EXIT_OF = new Int32Array(EVENTS.length).fill(-1);
for (const e of EVENTS) {
  if (!e) continue;
  IS_ENTER[e.code] = e.dir === 0 ? 1 : 0;
  if (e.dir === 0) EXIT_OF[e.code] = partnerOf(e.code);
}

/** the thread the kernel would have a record of, or null */
function recorded(st: State): ThreadInfo | null {
  const t = st.cur.thread;
  return t === null || t.comm === '<NA>' ? null : t;
}

function cmp(op: NumOp, values: readonly number[], v: number): boolean {
  switch (op) {
    case 'eq':
      return values.includes(v);
    case 'ne':
      return !values.includes(v);
    case 'lt':
      return v < values[0];
    case 'le':
      return v <= values[0];
    case 'gt':
      return v > values[0];
    case 'ge':
      return v >= values[0];
  }
}

function atomEval(a: KAtom): Eval {
  switch (a.a) {
    case 'evtype': {
      const codes = new Set(a.codes);
      return ({ ev, asExit }) => {
        if (isGeneric(ev.type)) return K.U;
        return codes.has(asExit ? EXIT_OF[ev.type] : ev.type) ? K.T : K.F;
      };
    }
    case 'dir':
      return ({ ev, asExit }) => ((!asExit && IS_ENTER[ev.type] === 1) === a.enter ? K.T : K.F);
    case 'comm': {
      const eq = new Set(a.eq);
      const { prefix, maybe, negate } = a;
      return ({ st }) => {
        const t = recorded(st);
        if (t === null) return K.U;
        const c = t.comm.slice(0, COMM_MAX);
        if (eq.has(c) || prefix.some((p) => c.startsWith(p))) return negate ? K.F : K.T;
        if (maybe.includes(c)) return K.U;
        return negate ? K.T : K.F;
      };
    }
    case 'num': {
      const { op, values } = a;
      const test = (v: number): K => (cmp(op, values, v) ? K.T : K.F);
      switch (a.subject) {
        case 'tid':
          return ({ ev }) => test(ev.tid);
        case 'pid':
          return ({ st }) => {
            const t = recorded(st);
            return t === null ? K.U : test(t.pid);
          };
        case 'uid':
          return ({ st }) => {
            const t = recorded(st);
            return t === null ? K.U : test(t.uid >>> 0);
          };
        case 'res':
          return ({ ev, asExit }) => {
            if (asExit) return K.U;
            const i = resIndex(ev);
            return i < 0 ? K.F : test(ev.i64(i));
          };
        case 'fd':
          return ({ ev, asExit }) => {
            if (asExit) return K.U;
            const f = EVT_FLAGS[ev.type];
            if ((f & FD_FLAGS) === 0) return K.F; // fd.num has no value on this event
            if (IS_ENTER[ev.type] === 0 || (f & EF.USES_FD) === 0 || !ev.has(0)) return K.U;
            return test(ev.i64(0)) === K.F ? K.F : K.U;
          };
      }
      break;
    }
    case 'failed':
      return ({ ev, asExit }) => {
        if (asExit) return K.U;
        const i = resIndex(ev);
        return i >= 0 && ev.i64(i) < 0 ? K.T : K.F;
      };
  }
  throw new Error('unreachable');
}

/** Compiles a kernel expression to a three-valued evaluator. */
function compile(e: KExpr): Eval {
  switch (e.k) {
    case 'const': {
      const v = e.v;
      return () => v;
    }
    case 'atom':
      return atomEval(e.atom);
    case 'not': {
      const f = compile(e.c);
      return (c) => 2 - f(c);
    }
    case 'and': {
      const fs = e.c.map(compile);
      return (c) => {
        let r = K.T;
        for (const f of fs) {
          const v = f(c);
          if (v === K.F) return K.F;
          if (v < r) r = v;
        }
        return r;
      };
    }
    case 'or': {
      const fs = e.c.map(compile);
      return (c) => {
        let r = K.F;
        for (const f of fs) {
          const v = f(c);
          if (v === K.T) return K.T;
          if (v > r) r = v;
        }
        return r;
      };
    }
  }
}

function onSocketOrTracer(st: State): boolean {
  const f = st.cur.fd;
  // an fd the state does not know: the kernel would know its type; keep it, to be safe
  if (f === null) return true;
  if ((f.flags & (FdFlags.IS_TRACER_FD | FdFlags.IS_TRACER_FILE)) !== 0) return true;
  return f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK || f.type === FdType.UNIX_SOCK;
}

export class KernelFilterModel {
  private readonly f: Eval;
  private readonly ctx: Ctx;
  /** events judged, passed because the state keeps them, passed by the test */
  tested = 0;
  keptForState = 0;
  passedTest = 0;

  constructor(expr: KExpr) {
    this.f = compile(expr);
    this.ctx = { ev: null as unknown as EventView, st: null as unknown as State, asExit: false };
  }

  /** The formula's value on an event (st: the state after the event, as fields see it). */
  value(ev: EventView, st: State, asExit = false): K {
    const c = this.ctx;
    c.ev = ev;
    c.st = st;
    c.asExit = asExit;
    return this.f(c);
  }

  /** Would the probe pass this event? */
  passes(ev: EventView, st: State): boolean {
    this.tested++;
    const t = ev.type;
    if (t >= STATE_KEPT.length || STATE_KEPT[t] === 1 || (RW_ON_SOCKET[t] === 1 && onSocketOrTracer(st))) {
      this.keptForState++;
      return true;
    }
    let ok = this.value(ev, st) !== K.F;
    if (!ok && EXIT_OF[t] >= 0) ok = this.value(ev, st, true) !== K.F;
    if (ok) this.passedTest++;
    return ok;
  }
}
