/**
 * Snapshot of the live state as section metadata, for writing a trace from the middle of a
 * replay (e.g. a filtered subset): the process table (ThreadInfo → ProcEntry), one fd table per
 * thread that owns one (FdInfo → FdEntry), users, groups, interfaces and machine info. Read
 * back, such a section resolves process and fd names for the events that follow, like
 * libsinsp's dump_threads_to_file does when sysdig starts a dump mid-stream.
 *
 * The state is only read: unlike ThreadInfo.getMainThread() we never create placeholder
 * threads while looking things up.
 */
import type { State } from './state';
import { CANCELED_FD_NUMBER, CL, ThreadInfo } from './threadinfo';
import type { FdInfo } from './fdinfo';
import {
  FdEntry,
  FdType,
  PROC_THREAD_FIELDS,
  ProcEntry,
  SectionMetadata,
  copyFields,
  emptyFd,
  emptyProc,
} from '../scap/metadata';

export function snapshotState(state: State, base: SectionMetadata | null): SectionMetadata {
  const baseProcs = new Map<number, ProcEntry>();
  if (base !== null) for (const p of base.procs) baseProcs.set(p.tid, p);

  const procs: ProcEntry[] = [];
  const fds = new Map<number, FdEntry[]>();
  for (const t of state.threads.values()) {
    const main = t.isMainThread() ? t : (state.threads.get(t.pid) ?? null);
    procs.push(procFromThread(t, main, baseProcs.get(t.tid) ?? null));
    // The fd table lives with the thread that owns it: the main thread, or a thread that was
    // not cloned with CLONE_FILES. Threads sharing their main thread's table get none.
    if (t.isMainThread() || (t.flags & CL.CLONE_FILES) === 0) {
      const list: FdEntry[] = [];
      for (const [fd, f] of t.fdTable) {
        const e = fdEntryFromInfo(fd, f);
        if (e !== null) list.push(e);
      }
      if (list.length > 0) fds.set(t.tid, list);
    }
  }

  return {
    major: 1,
    minor: 2,
    machine: state.machine ?? base?.machine ?? null,
    procs,
    fds,
    users: state.users.size > 0 ? [...state.users.values()] : (base?.users.slice() ?? []),
    groups: state.groups.size > 0 ? [...state.groups.values()] : (base?.groups.slice() ?? []),
    interfaces: state.interfaces.length > 0 ? state.interfaces.slice() : (base?.interfaces.slice() ?? []),
  };
}

function procFromThread(t: ThreadInfo, main: ThreadInfo | null, base: ProcEntry | null): ProcEntry {
  const p = emptyProc(t.tid);
  copyFields(p, t, PROC_THREAD_FIELDS);
  p.args = t.args.slice();
  // cwd and env are kept on the main thread
  const cwd = main !== null && main.cwd !== '' ? main.cwd : t.cwd;
  p.cwd = cwd === '' ? '/' : cwd; // as libsinsp writes an unknown cwd
  p.env = (t.env.length === 0 && main !== null ? main.env : t.env).slice();
  p.flags = t.flags;
  p.cgroups = t.cgroups.slice();
  p.pidnsInitStartTs = base !== null ? base.pidnsInitStartTs : 0;
  return p;
}

/** libsinsp fd_to_scap: null for entries a scap fd list cannot carry. */
export function fdEntryFromInfo(fd: number, f: FdInfo): FdEntry | null {
  if (fd < 0 || fd === CANCELED_FD_NUMBER || !Number.isSafeInteger(fd)) return null;
  if (f.type === FdType.UNINITIALIZED) return null;
  const e = emptyFd(fd, f.type);
  e.ino = f.ino;
  switch (f.type) {
    case FdType.IPV4_SOCK:
      e.sip = f.sip;
      e.dip = f.dip;
      e.sport = f.sport;
      e.dport = f.dport;
      e.l4proto = f.l4proto;
      break;
    case FdType.IPV4_SERVSOCK:
      e.sip = f.sip;
      e.sport = f.sport;
      e.l4proto = f.l4proto;
      break;
    case FdType.IPV6_SOCK:
      e.sip6 = Buffer.from(f.sip6);
      e.dip6 = Buffer.from(f.dip6);
      e.sport = f.sport;
      e.dport = f.dport;
      e.l4proto = f.l4proto;
      break;
    case FdType.IPV6_SERVSOCK:
      e.sip6 = Buffer.from(f.sip6);
      e.sport = f.sport;
      e.l4proto = f.l4proto;
      break;
    case FdType.UNIX_SOCK:
      e.unixSource = f.unixSource;
      e.unixDest = f.unixDest;
      e.name = f.name;
      break;
    case FdType.FILE_V2:
      e.openFlags = f.openFlags;
      e.name = f.name;
      e.dev = f.dev;
      break;
    default:
      e.name = f.name;
      break;
  }
  return e;
}
