/** One thread, as libsinsp's sinsp_threadinfo tracks it; fds and cwd live on the main thread. */
import { FdInfo, FdFlags } from './fdinfo';
import { concatenatePaths } from '../util/paths';

export const enum CL {
  CLONE_FILES = 1 << 0,
  CLONE_FS = 1 << 1,
  CLONE_THREAD = 1 << 13,
  CLONE_VM = 1 << 15,
  CLONE_INVERTED = 1 << 16,
  NAME_CHANGED = 1 << 17,
  CLOSED = 1 << 18,
  ACTIVE = 1 << 19,
  CLONE_VFORK = 1 << 27,
  CHILD_IN_PIDNS = 1 << 29,
  IS_MAIN_THREAD = 1 << 30,
}

/** Resolves a pid to its thread (creating a placeholder like libsinsp when unknown). */
export interface ThreadLookup {
  getThread(tid: number, queryOs: boolean): ThreadInfo | null;
}

/** fd number where a close canceled by a reuse keeps the old fd (libsinsp's CANCELED_FD_NUMBER) */
export const CANCELED_FD_NUMBER = 2 ** 63; // INT64_MAX as the nearest double

/**
 * Thread facts newer libsinsp tracks that this state (e5c53d64's) does not fill yet; the
 * proc.* fields that show them read ThreadInfo.extras and print their "unknown" value.
 */
export interface ThreadExtras {
  pgid: number;
  exeIno: number;
  exeInoCtime: number;
  exeInoMtime: number;
  exeInoCtimeDurationCloneTs: number;
  exeInoCtimeDurationPidnsStart: number;
  pidnsInitStartTs: number;
  exeLowerLayer: boolean;
  category: number;
}

export class ThreadInfo {
  tid = 0;
  pid = 0;
  ptid = -1;
  sid = -1;
  vpgid = -1;
  comm = '';
  exe = '';
  exepath = '';
  exeWritable = false;
  args: string[] = [];
  env: string[] = [];
  cgroups: string[] = [];
  root = '';
  cwd = '';
  fdlimit = -1;
  flags = CL.NAME_CHANGED;
  uid = 0;
  gid = 0;
  loginuid = 0; // sinsp_threadinfo::init(); placeholders and the proc list set their own
  vmsizeKb = 0;
  vmrssKb = 0;
  vmswapKb = 0;
  pfMajor = 0;
  pfMinor = 0;
  vtid = -1;
  vpid = -1;
  tty = 0;
  nchilds = 0;
  cloneTs = 0;
  /** exe of the parent at clone, etc. */
  capInheritable: bigint | null = null;
  capPermitted: bigint | null = null;
  capEffective: bigint | null = null;
  exeUpperLayer = false;
  exeFromMemfd = false;
  containerId = '';
  /** see ThreadExtras: null while nothing sets them */
  extras: Partial<ThreadExtras> | null = null;
  /** set when the thread manager erased this thread (libsinsp's expired weak_ptr) */
  removed = false;

  // Per-event bookkeeping (libsinsp's m_lastevent_*)
  lastEventType = -1;
  lastEventFd = 0;
  lastEventDataValid = false;
  /** bytes of the last stored enter event (for parsers that need enter params on exit) */
  lastEventData: Buffer | null = null;
  lastEventCpu = 0;
  latency = 0;
  lastLatencyEnterTime = 0;
  prevEventTs = 0;

  /** this thread's own fd table (used unless it shares its main thread's) */
  readonly fdTable = new Map<number, FdInfo>();
  private mainThread: ThreadInfo | null = null;

  constructor(private readonly lookup: ThreadLookup) {}

  isMainThread(): boolean {
    return this.tid === this.pid || (this.flags & CL.IS_MAIN_THREAD) !== 0;
  }

  getMainThread(): ThreadInfo | null {
    if (this.mainThread !== null && !this.mainThread.removed) return this.mainThread;
    if (this.isMainThread()) return this;
    const t = this.lookup.getThread(this.pid, true);
    this.mainThread = t;
    return t;
  }

  /** Drops a cached main-thread pointer (the main thread was removed or replaced). */
  resetMainThread(): void {
    this.mainThread = null;
  }

  getFdTable(): Map<number, FdInfo> | null {
    if ((this.flags & CL.CLONE_FILES) === 0) return this.fdTable;
    const root = this.getMainThread();
    return root === null ? null : root.fdTable;
  }

  getFd(fd: number): FdInfo | null {
    if (fd < 0) return null;
    const t = this.getFdTable();
    if (t === null) return null;
    const f = t.get(fd);
    if (f === undefined) return null;
    f.oldName = f.name;
    return f;
  }

  /** libsinsp fdtable add: replaces in place, handling a close in progress on the same number. */
  addFd(fd: number, info: FdInfo): FdInfo | null {
    const t = this.getFdTable();
    if (t === null) return null;
    // sinsp_threadinfo::add_fd also makes the new fd the thread's last event fd
    this.lastEventFd = fd;
    const cur = t.get(fd);
    if (cur === undefined) {
      const f = info.clone();
      t.set(fd, f);
      return f;
    }
    if ((cur.flags & FdFlags.CLOSE_IN_PROGRESS) !== 0) {
      info.flags &= ~FdFlags.CLOSE_IN_PROGRESS;
      info.flags |= FdFlags.CLOSE_CANCELED;
      t.set(CANCELED_FD_NUMBER, cur.clone());
    }
    cur.copyFrom(info);
    return cur;
  }

  removeFd(fd: number): void {
    const t = this.getFdTable();
    if (t !== null) t.delete(fd);
  }

  getCwd(): string {
    const m = this.getMainThread();
    return m !== null ? m.cwd : './';
  }

  /** set_cwd: concatenates relative paths onto the main thread's cwd, keeping a trailing '/'. */
  setCwd(path: string): void {
    const m = this.getMainThread();
    if (m === null) return;
    let c = concatenatePaths(m.cwd, path);
    if (c.length === 0 || c[c.length - 1] !== '/') c += '/';
    m.cwd = c;
  }

  /** "proc.args"-style join, as sysdig prints args */
  argsString(): string {
    return this.args.join(' ');
  }
}
