/**
 * The system state rebuilt from a stream: threads, their fds, users and groups, interfaces.
 * Mirrors libsinsp's parser: for every event, reset() finds the thread and the event's fd,
 * then the parser registered for the event type updates the tables. Formatting and filters
 * read `cur` (the current event's thread and fd) after processEvent() returns.
 */
import { EventView } from '../event/view';
import type { SectionMetadata, FdEntry, UserEntry, GroupEntry, InterfaceEntry, MachineInfo } from '../scap/metadata';
import { FdType, PROC_THREAD_FIELDS, copyFields } from '../scap/metadata';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../event/generated/events';
import { ThreadInfo, ThreadLookup, CL, CANCELED_FD_NUMBER } from './threadinfo';
import { FdInfo, FdFlags, L4 } from './fdinfo';
import type { ContainerMeta } from '../container/meta';
import { ipv4Endpoint, ipv4Tuple, ipv6Endpoint, ipv6Tuple, isIpv4MappedIpv6 } from '../util/net';
import { copyBytes } from '../util/bytes';

export type EventParser = (s: State, ev: EventView) => void;

/** Event types whose exit creates a thread: no /proc lookup and no enter/exit pairing. */
export const CLONE_EXIT_TYPES = new Set<number>();
for (const e of EVENTS) {
  if (e && e.dir === 1 && /^PPME_SYSCALL_(CLONE|FORK|VFORK)(_\d+)?_X$|^PPME_SYSCALL_CLONE3_X$/.test(e.enumName))
    CLONE_EXIT_TYPES.add(e.code);
}

const EF_USES_FD = new Uint8Array(EVENTS.length);
const EF_SKIPPARSERESET = new Uint8Array(EVENTS.length);
const EF_MODIFIES_STATE = new Uint8Array(EVENTS.length);
const RES_OR_FD_FIRST = new Uint8Array(EVENTS.length);
for (const e of EVENTS) {
  if (!e) continue;
  if (e.flags.includes('EF_USES_FD')) EF_USES_FD[e.code] = 1;
  if (e.flags.includes('EF_SKIPPARSERESET')) EF_SKIPPARSERESET[e.code] = 1;
  if (e.flags.includes('EF_MODIFIES_STATE')) EF_MODIFIES_STATE[e.code] = 1;
  if (e.params.length > 0 && (e.params[0].name === 'res' || e.params[0].name === 'fd')) RES_OR_FD_FIRST[e.code] = 1;
}

const PPME_PROCINFO_E = 234;
const PPME_SCHEDSWITCH_6_E = 152;
const PPME_CONTAINER_JSON_E = 272;
const PPME_CONTAINER_JSON_2_E = 324;
const PPME_TRACER_E = 190;
/** PPM_EVENT_MAX of sysdig 0.29.3's libs: the lastEventType of a thread whose event it filtered out */
const PPM_EVENT_MAX_0293 = PPM_EVENT_MAX_E5C53D64;
const WRITE_X = EVENTS.findIndex((e) => e !== null && e.enumName === 'PPME_SYSCALL_WRITE_X');
/** SCAP_DF_TRACER: a write to the tracer device, saved as such in a trace file */
const DF_TRACER = 2;
const COPY_FILE_RANGE_X = EVENTS.findIndex((e) => e !== null && e.enumName === 'PPME_SYSCALL_COPY_FILE_RANGE_X');
/** container events sinsp::open consumes before the first real event: processed, never shown */
const LEADING_CONTAINER = new Set<number>(
  EVENTS.filter((e) => e !== null && /^PPME_CONTAINER(_JSON(_2)?)?_E$/.test(e.enumName)).map((e) => e!.code),
);
/** libsinsp SP_EVT_BUF_SIZE: enter events longer than this are not stored */
const SP_EVT_BUF_SIZE = 4096;

/** The current event's context, filled by processEvent (libsinsp's evt->m_tinfo / m_fdinfo). */
export interface EventContext {
  thread: ThreadInfo | null;
  fd: FdInfo | null;
  /** fd number the event refers to (enter param 0 or the last enter's), -1 if none */
  fdNum: number;
  errorCode: number;
  /** true when the event is state-only (SCAP_DF_STATE_ONLY) and must not be shown */
  hidden: boolean;
  /** a container event before the section's first other event (sinsp::open consumes those) */
  leading: boolean;
  /** evt->fdinfo_name_changed(): parsing this event renamed its fd (fd.name_changed) */
  fdNameChanged: boolean;
  /**
   * evt->m_tinfo == NULL: the parser left the event without a thread, and `thread` (if any)
   * comes from get_thread_info()'s plain lookup. Fields that read evt->m_tinfo directly
   * (evt.latency*, evt.wait_latency, evt.abspath, -t d) see no thread then.
   */
  noTinfo: boolean;
}

export class State implements ThreadLookup {
  readonly threads = new Map<number, ThreadInfo>();
  readonly users = new Map<number, UserEntry>();
  readonly groups = new Map<number, GroupEntry>();
  interfaces: InterfaceEntry[] = [];
  machine: MachineInfo | null = null;
  /** the container manager's table: container JSON events add their container's metadata */
  readonly containers = new Map<string, ContainerMeta>();
  /** server ports bound on the host, for guessing connection roles */
  readonly serverPorts = new Set<number>();
  readonly cur: EventContext = {
    thread: null,
    fd: null,
    fdNum: -1,
    errorCode: 0,
    hidden: false,
    leading: false,
    fdNameChanged: false,
    noTinfo: false,
  };
  /** the thread-table limit libsinsp applies before it stops creating placeholders */
  maxThreads = 131072;
  /**
   * sysdig 0.29.3's filter order (`replay --sysdig-filter-order`): when set, processEvent runs
   * it right after reset() for events without EF_MODIFIES_STATE, before their parser, as that
   * sinsp_parser::process_event did. A rejected event is not parsed (nor cleaned up) and its
   * thread's lastEventType is spoiled, so a rejected enter leaves its exit unpaired (no fd, no
   * enter data). `earlyResult` then tells the caller: 1 passed, 0 rejected, -1 not run (the
   * event modifies state: filter it after processEvent, as usual).
   */
  earlyFilter: ((ev: EventView) => boolean) | null = null;
  earlyResult = -1;
  /** sinsp m_tid_to_remove: a thread whose procexit was parsed, removed when the next event arrives */
  tidToRemove = -1;
  /** sinsp m_fds_to_remove / m_tid_of_fd_to_remove: fds erased when the next event arrives */
  readonly fdsToRemove: number[] = [];
  tidOfFdToRemove = -1;
  /** the parser's m_tmp_evt: a view on the last retrieved enter event (see retrieveEnterEvent) */
  readonly enterEvt = new EventView();
  /** m_tmp_events_buffer: stored-event buffers returned by finished syscalls, reused LIFO */
  private readonly evtBufPool: Buffer[] = [];
  /** false until the first non-container event of a section (sinsp::open consumes those) */
  private pastLeadingContainers = false;

  private static readonly parsers: (EventParser | undefined)[] = new Array<EventParser | undefined>(EVENTS.length);

  /** Family modules register their parsers here (one per event type). */
  static register(codes: number | number[], fn: EventParser): void {
    for (const c of Array.isArray(codes) ? codes : [codes]) State.parsers[c] = fn;
  }

  /** True if a parser is registered for the code: the kernel filter keeps such events (pushdown). */
  static hasParser(code: number): boolean {
    return State.parsers[code] !== undefined;
  }

  /** Loads a section's metadata (process list, fd lists, users): state before the first event. */
  loadSection(meta: SectionMetadata): void {
    this.machine = meta.machine;
    for (const u of meta.users) this.users.set(u.uid, u);
    for (const g of meta.groups) this.groups.set(g.gid, g);
    this.interfaces = meta.interfaces;
    for (const p of meta.procs) {
      const t = new ThreadInfo(this);
      t.tid = p.tid;
      copyFields(t, p, PROC_THREAD_FIELDS);
      t.args = p.args.slice();
      t.flags = p.flags | CL.ACTIVE;
      t.cgroups = p.cgroups.slice();
      if (t.isMainThread()) {
        // set_env: an all-zero tail ends the list (trailing empty entries are dropped)
        let n = p.env.length;
        while (n > 0 && p.env[n - 1] === '') n--;
        t.env = p.env.slice(0, n);
        t.cwd = '';
        t.setCwd(p.cwd);
      }
      this.addThread(t);
    }
    let scratchDev = 0;
    for (const [tid, fds] of meta.fds) {
      const t = this.threads.get(tid);
      if (t === undefined) continue;
      // sinsp_threadinfo::init reuses one sinsp_fdinfo for all of a thread's fds, so socket
      // union bytes a type does not write carry over from the previous fd (visible later).
      const scratch = Buffer.alloc(40);
      for (const e of fds) {
        const f = fdFromScap(e, this.serverPorts, scratch);
        // m_dev likewise: only file entries set it, the others show the previous file's
        if (f !== null && e.type !== FdType.FILE_V2) f.dev = scratchDev;
        else if (f !== null) scratchDev = f.dev;
        if (f !== null) t.fdTable.set(e.fd, f);
      }
    }
    // Child counts, as the thread manager computes them after loading (create_child_dependencies).
    this.createChildDependencies();
    this.fixSocketsComingFromProc();
    this.pastLeadingContainers = false;
  }

  /**
   * fix_sockets_coming_from_proc: an IPv4 connection from the fd lists whose source port is
   * a port bound on the host is the server end: swap its tuple and mark roles.
   */
  private fixSocketsComingFromProc(): void {
    for (const t of this.threads.values()) {
      for (const f of t.fdTable.values()) {
        if (f.type !== FdType.IPV4_SOCK) continue;
        if (this.serverPorts.has(f.sport)) {
          const sip = f.sip,
            sport = f.sport;
          f.sip = f.dip;
          f.dip = sip;
          f.sport = f.dport;
          f.dport = sport;
          f.name = ipv4Tuple(f.sip, f.sport, f.dip, f.dport);
          f.setRoleServer();
        } else {
          f.setRoleClient();
        }
      }
    }
  }

  /** increment_mainthread_childcount: a CLONE_THREAD thread holds a reference on its main thread. */
  private incrementMainthreadChildcount(t: ThreadInfo): void {
    if ((t.flags & CL.CLONE_THREAD) !== 0) {
      const m = this.getThread(t.pid, true);
      if (m !== null) m.nchilds++;
    }
  }

  private createChildDependencies(): void {
    for (const t of Array.from(this.threads.values())) this.incrementMainthreadChildcount(t);
  }

  addThread(t: ThreadInfo): void {
    this.threads.set(t.tid, t);
    this.lastThread = null;
  }

  /** the thread getThread returned last: consecutive events are mostly the same thread's */
  private lastThread: ThreadInfo | null = null;

  /**
   * sinsp add_thread for a thread created by an event (not the proc list): bumps the main
   * thread's child count for CLONE_THREAD threads. False when the table is full.
   */
  addThreadFromEvent(t: ThreadInfo): boolean {
    if (this.threads.size >= this.maxThreads) return false;
    this.incrementMainthreadChildcount(t);
    this.addThread(t);
    return true;
  }

  /**
   * sinsp_thread_manager::remove_thread: without force, a thread some CLONE_THREAD children
   * still reference (nchilds > 0) stays in the table.
   */
  removeThread(tid: number, force = true): void {
    const t = this.threads.get(tid);
    if (t === undefined) return;
    const nchilds = t.nchilds;
    if (nchilds !== 0 && !force) return;
    if ((t.flags & CL.CLONE_THREAD) !== 0) {
      const m = this.threads.get(t.pid);
      if (m !== undefined && m.nchilds > 0) m.nchilds--;
    }
    this.threads.delete(tid);
    this.lastThread = null;
    t.removed = true;
    if (nchilds !== 0) {
      // recreate_child_dependencies
      for (const o of this.threads.values()) {
        o.nchilds = 0;
        o.resetMainThread();
      }
      this.createChildDependencies();
    }
  }

  /** get_thread_ref: unknown tids get a placeholder (comm "<NA>") unless queryOs is false. */
  getThread(tid: number, queryOs: boolean): ThreadInfo | null {
    const last = this.lastThread;
    if (last !== null && last.tid === tid) return last;
    const t = this.threads.get(tid);
    if (t !== undefined) {
      this.lastThread = t;
      return t;
    }
    if (!queryOs || this.threads.size >= this.maxThreads) return null;
    const n = new ThreadInfo(this);
    n.tid = tid;
    n.pid = tid;
    n.ptid = -1;
    n.comm = '<NA>';
    n.exe = '<NA>';
    n.uid = 0xffffffff;
    n.gid = 0xffffffff;
    n.loginuid = 0xffffffff;
    for (const o of this.threads.values()) if (o.pid === tid) n.nchilds++;
    this.addThread(n);
    return n;
  }

  /** Process one event: reset (thread, fd, pairing), then its type's parser. */
  processEvent(ev: EventView): void {
    // sinsp::next: the delayed removals scheduled by the previous event
    if (this.tidToRemove !== -1) {
      this.removeThread(this.tidToRemove, false);
      this.tidToRemove = -1;
    }
    if (this.fdsToRemove.length !== 0) {
      const t = this.getThread(this.tidOfFdToRemove, true);
      if (t !== null) for (const fd of this.fdsToRemove) t.removeFd(fd);
      this.fdsToRemove.length = 0;
    }
    const cur = this.cur;
    cur.hidden = (ev.dumpFlags & 1) !== 0;
    cur.leading = false;
    if (!this.pastLeadingContainers) {
      if (LEADING_CONTAINER.has(ev.type)) cur.hidden = cur.leading = true;
      else this.pastLeadingContainers = true;
    }
    this.resetEvent(ev);
    if (this.earlyFilter !== null && !this.runEarlyFilter(ev)) return;
    const p = State.parsers[ev.type];
    if (p !== undefined) p(this, ev);
    // set_fdinfo_name_changed, at the end of process_event (get_fd() saved the old name)
    const pf = cur.fd;
    cur.fdNameChanged = pf !== null && pf.name !== pf.oldName;
    // event_cleanup (skipped by sinsp for filtered-out events)
    const t = cur.thread;
    if (!cur.hidden && (ev.type & 1) === 1 && t !== null && t.lastEventData !== null) {
      this.freeEventBuffer(t.lastEventData);
      t.lastEventData = null;
      t.lastEventDataValid = false;
    }
    // sinsp_evt::get_thread_info(): formatters and filters fall back to a plain lookup of the
    // event's tid (no placeholder) when the parser left no thread, e.g. after an inverted clone.
    cur.noTinfo = t === null;
    if (t === null) cur.thread = this.threads.get(ev.tid) ?? null;
  }

  /** The early filter of sysdig 0.29.3 (see earlyFilter); false when the event was rejected. */
  private runEarlyFilter(ev: EventView): boolean {
    const cur = this.cur;
    const etype = ev.type;
    this.earlyResult = -1;
    let modifies = EF_MODIFIES_STATE[etype] === 1;
    if (etype === WRITE_X) {
      // a write to a tracer fd (or one saved with SCAP_DF_TRACER) counts as modifying state
      const t = cur.thread;
      if (cur.fd === null && t !== null) cur.fd = t.getFd(t.lastEventFd);
      const f = cur.fd;
      if (f !== null && (f.flags & (FdFlags.IS_TRACER_FD | FdFlags.IS_TRACER_FILE)) !== 0) modifies = true;
      else if ((ev.dumpFlags & DF_TRACER) !== 0) {
        cur.fd = null;
        modifies = true;
      }
    }
    if (modifies) return true;
    const t = cur.thread;
    // sinsp_evt::get_thread_info(): a plain lookup when reset() left no thread
    cur.noTinfo = t === null;
    if (t === null) cur.thread = this.threads.get(ev.tid) ?? null;
    cur.fdNameChanged = false;
    const pass = this.earlyFilter!(ev);
    this.earlyResult = pass ? 1 : 0;
    if (pass) {
      cur.thread = t;
      return true;
    }
    if (t !== null && EF_SKIPPARSERESET[etype] === 0 && etype !== PPME_SCHEDSWITCH_6_E)
      t.lastEventType = PPM_EVENT_MAX_0293;
    return false;
  }

  /** libsinsp reset(): fills cur (thread, fd, error) for ev; parsers call it again after a tid collision. */
  resetEvent(ev: EventView): boolean {
    const cur = this.cur;
    cur.thread = null;
    cur.fd = null;
    cur.fdNum = -1;
    cur.errorCode = 0;
    return this.reset(ev);
  }

  /** erase_fd with remove_from_table: the fd leaves t's table when the next event arrives. */
  scheduleFdRemoval(t: ThreadInfo, fd: number): void {
    this.tidOfFdToRemove = t.tid;
    this.fdsToRemove.push(fd);
  }

  reserveEventBuffer(): Buffer {
    const b = this.evtBufPool.pop();
    return b !== undefined ? b : Buffer.alloc(SP_EVT_BUF_SIZE);
  }

  private freeEventBuffer(b: Buffer): void {
    if (this.evtBufPool.length < this.threads.size) this.evtBufPool.push(b);
  }

  private reset(ev: EventView): boolean {
    const etype = ev.type;
    const cur = this.cur;
    if (EF_SKIPPARSERESET[etype]) {
      cur.thread = etype === PPME_PROCINFO_E ? this.getThread(ev.tid, false) : null;
      return false;
    }
    if (etype === PPME_CONTAINER_JSON_E || etype === PPME_CONTAINER_JSON_2_E) return true;
    const queryOs = !(CLONE_EXIT_TYPES.has(etype) || etype === PPME_SCHEDSWITCH_6_E);
    const t = this.getThread(ev.tid, queryOs);
    cur.thread = t;
    if (etype === PPME_SCHEDSWITCH_6_E) return false;
    if (t === null) return false;
    if (queryOs) t.flags |= CL.ACTIVE;

    if ((etype & 1) === 0) {
      t.lastEventFd = -1;
      t.lastEventType = etype;
      if (EF_USES_FD[etype]) {
        const fd = ev.has(0) ? ev.i64(0) : -1;
        t.lastEventFd = fd;
        cur.fdNum = fd;
        cur.fd = t.getFd(fd);
      }
      t.latency = 0;
      t.lastLatencyEnterTime = ev.tsApprox();
      return true;
    }

    if (t.lastLatencyEnterTime !== 0) t.latency = ev.tsApprox() - t.lastLatencyEnterTime;
    if (etype === t.lastEventType + 1) {
      t.lastEventDataValid = true;
    } else {
      t.lastEventDataValid = false;
      if (t.lastEventType !== PPME_TRACER_E) return false;
    }
    if (ev.paramCount !== 0 && RES_OR_FD_FIRST[etype]) {
      const res = ev.i64(0);
      if (res < 0) cur.errorCode = -res;
    }
    if (EF_USES_FD[etype]) {
      if (etype === COPY_FILE_RANGE_X && ev.has(1)) t.lastEventFd = ev.i64(1);
      cur.fdNum = t.lastEventFd;
      const f = t.getFd(t.lastEventFd);
      cur.fd = f;
      if (f === null) return false;
      if ((f.flags & FdFlags.CLOSE_CANCELED) !== 0) {
        f.flags &= ~FdFlags.CLOSE_CANCELED;
        t.removeFd(CANCELED_FD_NUMBER);
      }
    }
    return true;
  }

  /**
   * Stores the current enter event on its thread (libsinsp store_event), always in the v2
   * layout (26-byte header with nparams) so retrieveEnterEvent can read it back.
   */
  storeEvent(ev: EventView): void {
    const t = this.cur.thread;
    if (t === null) return;
    const hdrIn = ev.lensOff - ev.off;
    const body = ev.len - hdrIn;
    const total = 26 + body;
    if (total > SP_EVT_BUF_SIZE) return;
    if (t.lastEventData === null) t.lastEventData = this.reserveEventBuffer();
    const b = t.lastEventData;
    copyBytes(ev.buf, ev.off, ev.off + 16, b, 0); // ts, tid
    b.writeUInt32LE(total, 16);
    b.writeUInt16LE(ev.type, 20);
    b.writeUInt32LE(ev.nparams, 22);
    copyBytes(ev.buf, ev.lensOff, ev.off + ev.len, b, 26);
    t.lastEventCpu = ev.cpu;
    t.lastEventDataValid = true;
  }

  /**
   * retrieve_enter_event: points enterEvt at the current thread's stored enter event and
   * returns it when it is valid and really is exit's enter; null otherwise. Like sinsp's
   * m_tmp_evt, enterEvt keeps pointing at the last buffer it was set to even on failure.
   */
  retrieveEnterEvent(exit: EventView): EventView | null {
    const t = this.cur.thread;
    if (t === null) return null;
    const b = t.lastEventData;
    if (!t.lastEventDataValid || b === null) return null;
    this.pointEnterEvt(b, t.lastEventCpu);
    if (this.enterEvt.type !== exit.type - 1) {
      t.lastEventDataValid = false;
      return null;
    }
    return this.enterEvt;
  }

  private pointEnterEvt(b: Buffer, cpu: number): void {
    const e = this.enterEvt;
    const len = Math.min(b.readUInt32LE(16), b.length);
    e.set(b, 0, 26, len, b.readUInt16LE(20), b.readUInt32LE(22), false);
    e.cpu = cpu;
    e.tsLo = b.readUInt32LE(0);
    e.tsHi = b.readUInt32LE(4);
    e.tid = b.readInt32LE(12) * 4294967296 + b.readUInt32LE(8);
    // a new stamp so the view recomputes its param offsets
    e.num = -2 - this.enterStamp++;
  }
  private enterStamp = 0;
}

/** settings.h USER_EVT_DEVICE_NAME at e5c53d64: the tracer device is /dev/null */
const USER_EVT_DEVICE_NAME = '/dev/null';

/** Converts a scap fd-list entry into an FdInfo (libsinsp add_fd_from_scap); null if unusable. */
export function fdFromScap(e: FdEntry, serverPorts: Set<number>, scratch?: Buffer): FdInfo | null {
  const f = new FdInfo();
  if (scratch !== undefined) scratch.copy(f.sock);
  const r = fdFromScapInto(f, e, serverPorts);
  if (scratch !== undefined) f.sock.copy(scratch);
  return r;
}

function fdFromScapInto(f: FdInfo, e: FdEntry, serverPorts: Set<number>): FdInfo | null {
  f.type = e.type;
  f.flags = FdFlags.FROM_PROC;
  f.ino = e.ino;
  switch (e.type) {
    case FdType.IPV4_SOCK:
      f.sip = e.sip;
      f.dip = e.dip;
      f.sport = e.sport;
      f.dport = e.dport;
      f.l4proto = e.l4proto;
      if ((e.l4proto as L4) === L4.TCP) f.flags |= FdFlags.SOCKET_CONNECTED;
      f.name = ipv4Tuple(f.sip, f.sport, f.dip, f.dport);
      break;
    case FdType.IPV4_SERVSOCK:
      f.sip = e.sip;
      f.sport = e.sport;
      f.l4proto = e.l4proto;
      f.name = ipv4Endpoint(f.sip, f.sport);
      serverPorts.add(f.sport);
      break;
    case FdType.IPV6_SOCK: {
      const s6 = e.sip6 ?? Buffer.alloc(16),
        d6 = e.dip6 ?? Buffer.alloc(16);
      if (isIpv4MappedIpv6(s6) && isIpv4MappedIpv6(d6)) {
        f.type = FdType.IPV4_SOCK;
        f.sip = s6.readUInt32LE(12);
        f.dip = d6.readUInt32LE(12);
        f.sport = e.sport;
        f.dport = e.dport;
        f.l4proto = e.l4proto;
        if ((e.l4proto as L4) === L4.TCP) f.flags |= FdFlags.SOCKET_CONNECTED;
        f.name = ipv4Tuple(f.sip, f.sport, f.dip, f.dport);
      } else {
        f.sip6 = Buffer.from(s6);
        f.dip6 = Buffer.from(d6);
        f.sport = e.sport;
        f.dport = e.dport;
        f.l4proto = e.l4proto;
        if ((e.l4proto as L4) === L4.TCP) f.flags |= FdFlags.SOCKET_CONNECTED;
        f.name = ipv6Tuple(f.sip6, f.sport, f.dip6, f.dport);
      }
      break;
    }
    case FdType.IPV6_SERVSOCK:
      f.sip6 = Buffer.from(e.sip6 ?? Buffer.alloc(16));
      f.sport = e.sport;
      f.l4proto = e.l4proto;
      f.name = ipv6Endpoint(f.sip6, f.sport);
      serverPorts.add(f.sport);
      break;
    case FdType.UNIX_SOCK:
      f.unixSource = e.unixSource;
      f.unixDest = e.unixDest;
      f.name = e.name;
      if (f.name === '') f.setRoleClient();
      else f.setRoleServer();
      break;
    case FdType.FILE_V2:
      f.openFlags = e.openFlags;
      f.name = e.name;
      f.dev = e.dev;
      f.flags |= f.name === USER_EVT_DEVICE_NAME ? FdFlags.IS_TRACER_FILE : FdFlags.IS_NOT_TRACER_FD;
      break;
    case FdType.FIFO:
    case FdType.FILE:
    case FdType.DIRECTORY:
    case FdType.UNSUPPORTED:
    case FdType.SIGNALFD:
    case FdType.EVENTPOLL:
    case FdType.EVENT:
    case FdType.INOTIFY:
    case FdType.TIMERFD:
    case FdType.NETLINK:
      f.name = e.name;
      f.flags |= f.name === USER_EVT_DEVICE_NAME ? FdFlags.IS_TRACER_FILE : FdFlags.IS_NOT_TRACER_FD;
      break;
    case FdType.UNINITIALIZED:
      return null;
    default:
      // bpf, userfaultfd, io_uring, memfd, pidfd (newer libs): kept with their names
      f.name = e.name;
      break;
  }
  return f;
}
