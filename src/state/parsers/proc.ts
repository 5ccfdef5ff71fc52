/**
 * Process-family parsers: clone/fork/vfork/clone3, execve/execveat, procexit, set*id, setsid,
 * chroot, rlimits, memory counters, context switches (libsinsp parsers.cpp at libs e5c53d64).
 */
import { State } from '../state';
import { ThreadInfo } from '../threadinfo';
import type { EventView } from '../../event/view';
import { code } from '../../event/codes';
import { concatenatePaths } from '../../util/paths';
import { parseDirfd } from './fs';
import type { ContainerMeta } from '../../container/meta';
import { containerMetaExtras } from '../../container/json';

/** ppm clone flags libsinsp sets on its own */
const PPM_CL_PIPE_SRC = 1 << 21;
const PPM_CL_PIPE_DST = 1 << 22;
const PPM_CL_CLONE_THREAD = 1 << 13;
const PPM_CL_CHILD_IN_PIDNS = 1 << 29;
const PPM_CL_CLONE_INVERTED = 1 << 16;
const PPM_CL_IS_MAIN_THREAD = 1 << 30;
const PPM_CL_ACTIVE = 1 << 19;
const PPM_CL_CLOSED = 1 << 18;
const PPM_CL_NAME_CHANGED = 1 << 17;
const PPM_EXE_WRITABLE = 1 << 0;
const PPM_EXVAT_AT_EMPTY_PATH = 1 << 0;
const PPM_RLIMIT_NOFILE = 7;
/** settings.h CLONE_STALE_TIME_NS */
const CLONE_STALE_TIME_NS = 2000000000;

// ---------------------------------------------------------------------------------------------
// Helpers shared by clone and execve: the NUL-separated arrays libsinsp splits.

/** sinsp_threadinfo::set_args: NUL-separated strings; a missing final NUL still ends a string. */
export function splitArgs(b: Buffer): string[] {
  const out: string[] = [];
  let o = 0;
  while (o < b.length) {
    let e = b.indexOf(0, o);
    if (e < 0) e = b.length;
    out.push(b.latin1Slice(o, e));
    o = e + 1;
  }
  return out;
}

/** sinsp_threadinfo::set_env: like set_args, but an all-zero tail ends the list. */
export function splitEnv(b: Buffer): string[] {
  const out: string[] = [];
  let o = 0;
  while (o < b.length) {
    let e = b.indexOf(0, o);
    if (e < 0) e = b.length;
    if (e === o) {
      let allZero = true;
      for (let i = o; i < b.length; i++)
        if (b[i] !== 0) {
          allZero = false;
          break;
        }
      if (allZero) return out;
    }
    out.push(b.latin1Slice(o, e));
    o = e + 1;
  }
  return out;
}

/**
 * The last few cgroups params split, most recent first: the clones and execs of a trace come
 * from a handful of cgroup sets, so most params are one seen just before.
 */
const CGROUP_CACHE = 8;
const cgroupsRaw: Buffer[] = [];
const cgroupsSplit: string[][] = [];

/** Thread cgroups from a clone/execve param; threads may share the returned array (never mutated). */
export function splitCgroups(b: Buffer): string[] {
  for (let i = 0; i < cgroupsRaw.length; i++) {
    if (cgroupsRaw[i].equals(b)) {
      const out = cgroupsSplit[i];
      if (i !== 0) {
        // move to the front
        const raw = cgroupsRaw[i];
        cgroupsRaw.splice(i, 1);
        cgroupsSplit.splice(i, 1);
        cgroupsRaw.unshift(raw);
        cgroupsSplit.unshift(out);
      }
      return out;
    }
  }
  const out = splitCgroupsUncached(b);
  cgroupsRaw.unshift(Buffer.from(b));
  cgroupsSplit.unshift(out);
  if (cgroupsRaw.length > CGROUP_CACHE) {
    cgroupsRaw.pop();
    cgroupsSplit.pop();
  }
  return out;
}

/** sinsp_threadinfo::set_cgroups: "subsys=path" entries, with libsinsp's subsystem renames. */
function splitCgroupsUncached(b: Buffer): string[] {
  const out: string[] = [];
  let o = 0;
  while (o < b.length) {
    let e = b.indexOf(0, o);
    if (e < 0) e = b.length;
    const str = b.latin1Slice(o, e);
    const sep = str.lastIndexOf('=');
    if (sep < 0) return out;
    let subsys = str.slice(0, sep);
    const cgroup = str.slice(sep + 1);
    const rawLen = subsys.length;
    const p = subsys.indexOf('_cgroup');
    if (p >= 0) subsys = subsys.slice(0, p) + subsys.slice(p + 7);
    if (subsys === 'perf') subsys = 'perf_event';
    else if (subsys === 'mem') subsys = 'memory';
    else if (subsys === 'io') subsys = 'blkio';
    out.push(subsys + '=' + cgroup);
    o += rawLen + 1 + cgroup.length + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// clone / fork / vfork / clone3

const CLONE_11_X = code('PPME_SYSCALL_CLONE_11_X');
const CLONE_16_X = code('PPME_SYSCALL_CLONE_16_X');
const CLONE_17_X = code('PPME_SYSCALL_CLONE_17_X');
const CLONE_20_X = code('PPME_SYSCALL_CLONE_20_X');
const FORK_X = code('PPME_SYSCALL_FORK_X');
const FORK_17_X = code('PPME_SYSCALL_FORK_17_X');
const FORK_20_X = code('PPME_SYSCALL_FORK_20_X');
const VFORK_X = code('PPME_SYSCALL_VFORK_X');
const VFORK_17_X = code('PPME_SYSCALL_VFORK_17_X');
const VFORK_20_X = code('PPME_SYSCALL_VFORK_20_X');
const CLONE3_X = code('PPME_SYSCALL_CLONE3_X');

/** Layout of each clone exit version: where flags/uid/gid live, what else it carries. */
interface CloneLayout {
  flags: number;
  uid: number;
  gid: number;
  hasComm: boolean;
  hasMem: boolean;
  hasVids: boolean;
  hasCgroups: boolean;
}
const CLONE_LAYOUT = new Map<number, CloneLayout>([
  [CLONE_11_X, { flags: 8, uid: 9, gid: 10, hasComm: false, hasMem: false, hasVids: false, hasCgroups: false }],
  [CLONE_16_X, { flags: 13, uid: 14, gid: 15, hasComm: false, hasMem: true, hasVids: false, hasCgroups: false }],
  [FORK_X, { flags: 13, uid: 14, gid: 15, hasComm: false, hasMem: true, hasVids: false, hasCgroups: false }],
  [VFORK_X, { flags: 13, uid: 14, gid: 15, hasComm: false, hasMem: true, hasVids: false, hasCgroups: false }],
  [CLONE_17_X, { flags: 14, uid: 15, gid: 16, hasComm: true, hasMem: true, hasVids: false, hasCgroups: false }],
  [FORK_17_X, { flags: 14, uid: 15, gid: 16, hasComm: true, hasMem: true, hasVids: false, hasCgroups: false }],
  [VFORK_17_X, { flags: 14, uid: 15, gid: 16, hasComm: true, hasMem: true, hasVids: false, hasCgroups: false }],
  [CLONE_20_X, { flags: 15, uid: 16, gid: 17, hasComm: true, hasMem: true, hasVids: true, hasCgroups: true }],
  [FORK_20_X, { flags: 15, uid: 16, gid: 17, hasComm: true, hasMem: true, hasVids: true, hasCgroups: true }],
  [VFORK_20_X, { flags: 15, uid: 16, gid: 17, hasComm: true, hasMem: true, hasVids: true, hasCgroups: true }],
  [CLONE3_X, { flags: 15, uid: 16, gid: 17, hasComm: true, hasMem: true, hasVids: true, hasCgroups: true }],
]);

function copyIdentity(dst: ThreadInfo, src: ThreadInfo, withEnv: boolean, withExeWritable: boolean): void {
  dst.comm = src.comm;
  dst.exe = src.exe;
  dst.exepath = src.exepath;
  if (withExeWritable) dst.exeWritable = src.exeWritable;
  dst.args = src.args.slice();
  dst.root = src.root;
  dst.sid = src.sid;
  dst.vpgid = src.vpgid;
  dst.tty = src.tty;
  dst.loginuid = src.loginuid;
  if (withEnv) dst.env = src.env.slice();
}

function parseCloneExit(s: State, ev: EventView): void {
  const L = CLONE_LAYOUT.get(ev.type);
  if (L === undefined || !ev.has(L.gid)) return;
  let tid = ev.tid;
  let childtid = ev.i64(0);
  const flags = ev.u32(L.flags);
  let isInvertedClone = false;
  let tidCollision = false;
  let validParent = true;
  let vtid = tid;
  let vpid = -1;
  if (childtid < 0) return; // clone() failed
  if (L.hasVids && ev.has(19)) {
    vtid = ev.i64(18);
    vpid = ev.i64(19);
  }
  const inContainer = (flags & PPM_CL_CHILD_IN_PIDNS) !== 0 || tid !== vtid;

  if (childtid === 0) {
    // The child's side. A stale entry for this tid (exit lost) is dropped first.
    let me = s.cur.thread;
    if (me !== null && me.cloneTs !== 0 && ev.tsApprox() - me.cloneTs > CLONE_STALE_TIME_NS) {
      s.removeThread(tid, true);
      me = null;
      s.cur.thread = null;
    }
    const parenttid = (flags & PPM_CL_CLONE_THREAD) !== 0 ? ev.i64(4) : ev.i64(5);
    if (me === null) {
      // Inverted clone (the child returned first), a lost parent exit, or a container:
      // the child creates its own entry, with the parent as the "caller".
      isInvertedClone = true;
      childtid = tid;
      tid = parenttid;
    } else {
      if (inContainer) {
        me.vtid = vtid;
        me.vpid = vpid;
      }
      return;
    }
  } else if (inContainer) {
    // The parent only sees the child's namespaced tid: wait for the child's own exit.
    return;
  }

  let ptinfo = s.getThread(tid, true);
  if (ptinfo === null) return;
  if (ptinfo.comm === '<NA>' && ptinfo.uid === 0xffffffff) validParent = false;

  const existing = s.threads.get(childtid);
  if (existing !== undefined) {
    if ((existing.flags & PPM_CL_CLONE_INVERTED) !== 0) return;
    s.removeThread(childtid, true);
    tidCollision = true;
  }

  const t = new ThreadInfo(s);
  t.tid = childtid;
  t.ptid = tid;
  const isThread = (flags & PPM_CL_CLONE_THREAD) !== 0;
  if (validParent) {
    copyIdentity(t, ptinfo, !isThread, true);
  } else {
    // A placeholder parent: drop it and look it up again (no /proc offline, so it comes
    // back as a placeholder) and take the identity from the event, for both.
    s.removeThread(tid, true);
    tidCollision = true;
    ptinfo = s.getThread(tid, true);
    if (ptinfo === null) return;
    if (ptinfo.comm !== '<NA>' && ptinfo.uid !== 0xffffffff) {
      copyIdentity(t, ptinfo, !isThread, false);
    } else {
      t.exe = ev.str(1);
      t.comm = L.hasComm ? ev.str(13) : t.exe;
      t.args = splitArgs(ev.bytes(2));
      ptinfo.comm = t.comm;
      ptinfo.exe = t.exe;
      ptinfo.exepath = t.exepath;
      ptinfo.args = t.args.slice();
    }
  }

  t.pid = ev.i64(4);
  t.flags = flags;
  if (!isThread) {
    t.pid = childtid;
    // Not a thread: a copy of the caller's fds (marked cloned) and its cwd.
    const pt = ptinfo.getFdTable();
    if (pt !== null) {
      for (const [fd, f] of pt) {
        const c = f.clone();
        c.flags |= 1 << 14; // FLAGS_IS_CLONED
        t.fdTable.set(fd, c);
      }
    }
    t.cwd = ptinfo.getCwd();
  }
  if (isInvertedClone) t.flags |= PPM_CL_CLONE_INVERTED;

  t.exe = ev.str(1);
  t.comm = L.hasComm ? ev.str(13) : t.exe;
  t.args = splitArgs(ev.bytes(2));
  t.fdlimit = ev.i64(7);
  if (L.hasMem) {
    t.pfMajor = ev.u64(8);
    t.pfMinor = ev.u64(9);
    t.vmsizeKb = ev.u32(10);
    t.vmrssKb = ev.u32(11);
    t.vmswapKb = ev.u32(12);
  }
  t.uid = ev.u32(L.uid);
  t.gid = ev.u32(L.gid);
  if (inContainer) {
    t.vtid = vtid;
    t.vpid = vpid;
  } else {
    t.vtid = t.tid;
    t.vpid = t.pid;
  }
  if (L.hasCgroups) t.cgroups = splitCgroups(ev.bytes(14));
  t.cloneTs = ev.tsApprox();

  s.addThreadFromEvent(t);

  // The caller may have been replaced: find this event's thread again.
  if (tidCollision) s.resetEvent(ev);
}

// ---------------------------------------------------------------------------------------------
// execve / execveat

const EXECVE_8_X = code('PPME_SYSCALL_EXECVE_8_X');
const EXECVE_13_X = code('PPME_SYSCALL_EXECVE_13_X');
const EXECVE_14_X = code('PPME_SYSCALL_EXECVE_14_X');
const EXECVE_15_X = code('PPME_SYSCALL_EXECVE_15_X');
const EXECVE_16_X = code('PPME_SYSCALL_EXECVE_16_X');
const EXECVE_17_X = code('PPME_SYSCALL_EXECVE_17_X');
const EXECVE_18_X = code('PPME_SYSCALL_EXECVE_18_X');
const EXECVE_19_X = code('PPME_SYSCALL_EXECVE_19_X');
const EXECVEAT_X = code('PPME_SYSCALL_EXECVEAT_X');

function parseExecveExit(s: State, ev: EventView): void {
  const et = ev.type;
  if (!ev.has(0) || ev.i64(0) < 0) return;
  const t = s.cur.thread;
  if (t === null) return;
  t.exe = ev.str(1);
  if (et === EXECVE_8_X || et === EXECVE_13_X || et === EXECVE_14_X) t.comm = t.exe;
  else t.comm = ev.str(13);
  t.args = splitArgs(ev.bytes(2));
  t.pid = ev.i64(4);
  if (t.ptid === -1) t.ptid = ev.i64(5);
  t.fdlimit = ev.i64(7);
  if (et !== EXECVE_8_X) {
    t.pfMajor = ev.u64(8);
    t.pfMinor = ev.u64(9);
    t.vmsizeKb = ev.u32(10);
    t.vmrssKb = ev.u32(11);
    t.vmswapKb = ev.u32(12);
  }
  if (et === EXECVE_14_X) {
    t.env = splitEnv(ev.bytes(13));
  } else if (et === EXECVE_15_X) {
    t.env = splitEnv(ev.bytes(14));
  } else if (et !== EXECVE_8_X && et !== EXECVE_13_X) {
    t.env = splitEnv(ev.bytes(15));
    t.cgroups = splitCgroups(ev.bytes(14));
  }
  if (et === EXECVE_17_X || et === EXECVE_18_X || et === EXECVE_19_X || et === EXECVEAT_X) {
    t.tty = ev.i32(16);
  }
  if (et === EXECVE_18_X || et === EXECVE_19_X) {
    const enter = s.retrieveEnterEvent(ev);
    if (enter !== null && enter.has(0)) {
      const filename = enter.str(0);
      // The thread's own cwd (empty for a non-main thread), as libsinsp reads m_cwd directly.
      t.exepath = filename.startsWith('<NA>') ? '<NA>' : concatenatePaths(t.cwd, filename);
    }
  } else if (et === EXECVEAT_X) {
    const enter = s.retrieveEnterEvent(ev);
    if (enter !== null && enter.has(2)) {
      const dirfd = enter.i64(0);
      let pathname = enter.str(1);
      if (pathname.startsWith('<NA>')) {
        t.exepath = '<NA>';
      } else {
        const eflags = enter.u32(2);
        const sdir = parseDirfd(s, pathname, dirfd);
        if ((eflags & PPM_EXVAT_AT_EMPTY_PATH) !== 0 && pathname.length === 0) pathname = sdir;
        t.exepath = concatenatePaths(sdir, pathname);
      }
    }
  }
  if (et === EXECVE_19_X || et === EXECVEAT_X) t.vpgid = ev.i64(17);
  if (ev.paramCount > 18) t.loginuid = ev.u32(18);
  if (ev.paramCount > 19) t.exeWritable = (ev.u32(19) & PPM_EXE_WRITABLE) !== 0;

  // Fresh flags, keeping the shell-pipe, main-thread and inverted-clone marks.
  const keep = t.flags & (PPM_CL_PIPE_SRC | PPM_CL_PIPE_DST | PPM_CL_IS_MAIN_THREAD | PPM_CL_CLONE_INVERTED);
  t.flags = PPM_CL_ACTIVE | keep | PPM_CL_NAME_CHANGED;
}

// ---------------------------------------------------------------------------------------------
// The rest of the process family

function parseThreadExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  t.flags |= PPM_CL_CLOSED;
  s.tidToRemove = ev.tid;
}

function parseSetresuidExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  const euid = enter.u32(1);
  if (euid < 0xffffffff && s.cur.thread !== null) s.cur.thread.uid = euid;
}

function parseSetresgidExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  const egid = enter.u32(1);
  if (egid < 0xffffffff && s.cur.thread !== null) s.cur.thread.gid = egid;
}

function parseSetuidExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  if (s.cur.thread !== null) s.cur.thread.uid = enter.u32(0);
}

function parseSetgidExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  if (s.cur.thread !== null) s.cur.thread.gid = enter.u32(0);
}

function parseSetsidExit(s: State, ev: EventView): void {
  const res = ev.i64(0);
  if (res >= 0 && s.cur.thread !== null) s.cur.thread.sid = res;
}

function parseChrootExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (ev.i64(0) !== 0 || t === null) return;
  // get_param_as_str of a PT_FSPATH: resolved against the cwd when relative.
  const path = ev.str(1);
  t.root = path.length > 0 && path[0] !== '/' ? concatenatePaths(t.getCwd(), path) : path;
}

function parseGetrlimitSetrlimitExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null || ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  if (enter.u8(0) !== PPM_RLIMIT_NOFILE) return;
  const cur = ev.i64(1);
  if (cur !== -1) {
    const m = t.getMainThread();
    if (m !== null) m.fdlimit = cur;
  }
}

function parsePrlimitExit(s: State, ev: EventView): void {
  if (ev.i64(0) < 0) return;
  const enter = s.retrieveEnterEvent(ev);
  if (enter === null) return;
  if (enter.u8(1) !== PPM_RLIMIT_NOFILE) return;
  const newcur = ev.i64(1);
  if (newcur === -1) return;
  let tid = enter.i64(0);
  if (tid === 0) tid = ev.tid;
  const p = s.getThread(tid, true);
  if (p === null) return;
  const m = p.getMainThread();
  if (m !== null) m.fdlimit = newcur;
}

function parseBrkMunmapMmapExit(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  t.vmsizeKb = ev.u32(1);
  t.vmrssKb = ev.u32(2);
  t.vmswapKb = ev.u32(3);
}

function parseContextSwitch(s: State, ev: EventView): void {
  const t = s.cur.thread;
  if (t === null) return;
  // switch_1 carries only next; libsinsp reads past it (garbage), we leave the counters alone.
  if (!ev.has(5)) return;
  t.pfMajor = ev.u64(1);
  t.pfMinor = ev.u64(2);
  const m = t.getMainThread();
  if (m !== null) {
    m.vmsizeKb = ev.u32(3);
    m.vmrssKb = ev.u32(4);
    m.vmswapKb = ev.u32(5);
  }
}

/**
 * parse_container_json_evt, the part that changes what is printed: the event's thread is a
 * synthetic "container:<id>" one (tid/pid -1), and an event whose lookup_state is not
 * successful is filtered out. (The container table itself is not kept here.)
 */
function parseContainerJson(s: State, ev: EventView): void {
  if (!ev.has(0)) return;
  let root: unknown;
  try {
    const raw = ev.bytes(0);
    const z = raw.indexOf(0);
    root = JSON.parse(raw.toString('utf8', 0, z < 0 ? raw.length : z));
  } catch {
    return; // libsinsp throws (fatal); nothing sensible to rebuild
  }
  const c = (root !== null && typeof root === 'object' ? (root as Record<string, unknown>).container : undefined) as
    Record<string, unknown> | undefined;
  const obj = c !== null && typeof c === 'object' ? c : {};
  const id = typeof obj.id === 'string' ? obj.id : '';
  let lookupState = 1; // SUCCESSFUL
  const ls = obj.lookup_state;
  if (typeof ls === 'number' && ls >= 0 && Number.isInteger(ls)) {
    lookupState = ls === 0 || ls === 1 || ls === 2 ? ls : 1;
    if (lookupState === 0) lookupState = 2; // STARTED makes no sense in a file: FAILED
  } else if (typeof ls === 'boolean') {
    lookupState = ls ? 1 : 2;
  }
  if (lookupState !== 1) s.cur.hidden = true;
  s.containers.set(id, containerMeta(id, obj));
  const t = new ThreadInfo(s);
  t.tid = -1;
  t.pid = -1;
  t.ptid = 0;
  t.vtid = -2;
  t.vpid = -2;
  t.comm = 'container:' + id;
  t.containerId = id;
  s.cur.thread = t;
}

/** sinsp_container_type values, as container.type names them */
const CONTAINER_TYPES = [
  'docker',
  'lxc',
  'libvirt-lxc',
  'mesos',
  'rkt',
  undefined,
  'cri',
  'containerd',
  'cri-o',
  'bpm',
];

/** The container_info that parse_container_json_evt adds to the container manager. */
function containerMeta(id: string, c: Record<string, unknown>): ContainerMeta {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const m: ContainerMeta = {
    id,
    name: str(c.name),
    image: str(c.image),
    imageId: str(c.imageid),
    imageRepo: str(c.imagerepo),
    imageTag: str(c.imagetag),
    imageDigest: str(c.imagedigest),
  };
  if (typeof c.full_id === 'string' && c.full_id !== '') m.id = c.full_id;
  if (typeof c.type === 'number') m.type = CONTAINER_TYPES[c.type];
  if (typeof c.privileged === 'boolean') m.privileged = c.privileged;
  if (typeof c.created_time === 'number') m.createdTime = c.created_time;
  if (typeof c.ip === 'string') {
    const p = c.ip.split('.').map(Number);
    if (p.length === 4 && p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255))
      m.ip = ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
  }
  if (Array.isArray(c.Mounts)) {
    m.mounts = c.Mounts.map((x: Record<string, unknown>) => ({
      source: str(x?.Source) ?? '',
      dest: str(x?.Destination) ?? '',
      mode: str(x?.Mode) ?? '',
      rdwr: x?.RW === true,
      propagation: str(x?.Propagation) ?? '',
    }));
  }
  Object.assign(m, containerMetaExtras(c)); // labels, sandbox, podman type, ... (src/container/json.ts)
  return m;
}

function storeEnter(s: State, ev: EventView): void {
  s.storeEvent(ev);
}

State.register(
  [
    CLONE_11_X,
    CLONE_16_X,
    CLONE_17_X,
    CLONE_20_X,
    FORK_X,
    FORK_17_X,
    FORK_20_X,
    VFORK_X,
    VFORK_17_X,
    VFORK_20_X,
    CLONE3_X,
  ],
  parseCloneExit,
);
State.register(
  [EXECVE_8_X, EXECVE_13_X, EXECVE_14_X, EXECVE_15_X, EXECVE_16_X, EXECVE_17_X, EXECVE_18_X, EXECVE_19_X, EXECVEAT_X],
  parseExecveExit,
);
State.register([code('PPME_PROCEXIT_E'), code('PPME_PROCEXIT_1_E')], parseThreadExit);
State.register([code('PPME_CONTAINER_JSON_E'), code('PPME_CONTAINER_JSON_2_E')], parseContainerJson);
State.register(code('PPME_SYSCALL_SETRESUID_X'), parseSetresuidExit);
State.register(code('PPME_SYSCALL_SETRESGID_X'), parseSetresgidExit);
State.register(code('PPME_SYSCALL_SETUID_X'), parseSetuidExit);
State.register(code('PPME_SYSCALL_SETGID_X'), parseSetgidExit);
State.register(code('PPME_SYSCALL_SETSID_X'), parseSetsidExit);
State.register(code('PPME_SYSCALL_CHROOT_X'), parseChrootExit);
State.register([code('PPME_SYSCALL_GETRLIMIT_X'), code('PPME_SYSCALL_SETRLIMIT_X')], parseGetrlimitSetrlimitExit);
State.register(code('PPME_SYSCALL_PRLIMIT_X'), parsePrlimitExit);
State.register(
  [
    code('PPME_SYSCALL_BRK_4_X'),
    code('PPME_SYSCALL_MMAP_X'),
    code('PPME_SYSCALL_MMAP2_X'),
    code('PPME_SYSCALL_MUNMAP_X'),
  ],
  parseBrkMunmapMmapExit,
);
State.register([code('PPME_SCHEDSWITCH_1_E'), code('PPME_SCHEDSWITCH_6_E')], parseContextSwitch);
// Enter events whose exit parsers need their parameters (process_event's store_event list).
State.register(
  [
    code('PPME_SYSCALL_GETRLIMIT_E'),
    code('PPME_SYSCALL_SETRLIMIT_E'),
    code('PPME_SYSCALL_PRLIMIT_E'),
    code('PPME_SYSCALL_SETRESUID_E'),
    code('PPME_SYSCALL_SETRESGID_E'),
    code('PPME_SYSCALL_SETUID_E'),
    code('PPME_SYSCALL_SETGID_E'),
    code('PPME_SYSCALL_EXECVE_18_E'),
    code('PPME_SYSCALL_EXECVE_19_E'),
    code('PPME_SYSCALL_EXECVEAT_E'),
    code('PPME_SYSCALL_SETPGID_E'),
  ],
  storeEnter,
);
