/** proc.* fields (libsinsp sinsp_filter_check_thread, process part). */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import type { ThreadInfo } from '../../state/threadinfo';
import { FieldError, FieldValue } from '../field-api';
import {
  FieldSpec,
  Extractor,
  mainThread,
  parentThread,
  traverseParents,
  cmdline,
  argsString,
  extra,
  isIntArg,
  parseIntArg,
  peekFd,
} from './common';
import { PF } from '../../event/types';

const CLS = 'proc';

type TFn = (t: ThreadInfo, ev: EventView, st: State) => FieldValue;

/** A field of the event's thread; null when the event has no thread. */
function tf(name: string, ptype: string, pf: PF, desc: string, fn: TFn, more: Partial<FieldSpec> = {}): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    ...more,
    make: () => ({
      extract: (ev, st) => {
        const t = st.cur.thread;
        return t === null ? null : fn(t, ev, st);
      },
    }),
  };
}

/** proc.aname[n] & co: n parent steps up from the main thread (libsinsp e5c53d64 semantics) */
export function ancestorProcess(st: State, t: ThreadInfo, n: number): ThreadInfo | null {
  let mt = mainThread(t);
  for (let i = 0; i < n && mt !== null; i++) mt = parentThread(st, mt);
  return mt;
}

function env(t: ThreadInfo): string[] {
  const m = mainThread(t);
  return m !== null ? m.env : t.env;
}

/** get_env(name): value of NAME=..., spaces stripped; "" if absent */
export function envValue(t: ThreadInfo, name: string): string {
  const n = name.length;
  for (const e of env(t)) {
    if (e.length > n + 1 && e.charCodeAt(n) === 0x3d && e.startsWith(name)) {
      let a = n + 1,
        b = e.length - 1;
      while (a < e.length && e.charCodeAt(a) === 0x20) a++;
      if (a >= e.length) return '';
      while (b > a && e.charCodeAt(b) === 0x20) b--;
      return e.slice(a, b + 1);
    }
  }
  return '';
}

function allEnv(t: ThreadInfo): string {
  return env(t).join(' ');
}

/** Oldest process whose id (sid/pgid/vpgid) matches: the leader itself if known, else the eldest ancestor with the same id. */
function idLeader(st: State, t: ThreadInfo, id: (x: ThreadInfo) => number): ThreadInfo | null {
  const want = id(t);
  const direct = st.threads.get(want);
  if (direct !== undefined) return direct;
  let mt = mainThread(t);
  if (mt === null) return null;
  const sid = id(mt);
  traverseParents(st, mt, (p) => {
    if (id(p) !== sid) return false;
    mt = p;
    return true;
  });
  return mt;
}

/**
 * Ancestor fields: proc.aname[N] etc. With an index, the value of the ancestor N levels up
 * (0 = the process itself). Without one: in filters any ancestor (parent upwards) may match
 * (cmp 'any', values()); in outputs the space-separated values of all ancestors.
 */
function ancestorSpec(
  name: string,
  ptype: string,
  pf: PF,
  desc: string,
  get: (a: ThreadInfo) => string | number,
  opts: { noRhs?: boolean; noArgSelf?: boolean } = {},
): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    arg: 'allowed',
    noRhs: opts.noRhs ?? true,
    make: (arg): Extractor => {
      if (arg !== null) {
        const n = parseIntArg(name, arg);
        if (n < 0) throw new FieldError(`${name}[${arg}]: negative ancestor index`);
        return {
          extract: (_ev, st) => {
            const t = st.cur.thread;
            if (t === null) return null;
            const a = ancestorProcess(st, t, n);
            return a === null ? null : get(a);
          },
        };
      }
      const values = (_ev: EventView, st: State): FieldValue[] | null => {
        const t = st.cur.thread;
        if (t === null) return null;
        const mt = t.getMainThread();
        if (mt === null) return null;
        const out: FieldValue[] = [];
        traverseParents(st, mt, (p) => {
          out.push(get(p));
          return true;
        });
        return out;
      };
      return {
        cmp: 'any',
        values,
        extract: (ev, st) => {
          if (opts.noArgSelf) {
            const t = st.cur.thread;
            if (t === null) return null;
            const a = ancestorProcess(st, t, 0);
            return a === null ? null : get(a);
          }
          const v = values(ev, st);
          if (v === null || v.length === 0) return null;
          return v.join(' ');
        },
      };
    },
  };
}

/** proc.pname & co: the thread the event's thread's ptid names (libsinsp e5c53d64 semantics) */
function parentField(
  name: string,
  desc: string,
  get: (p: ThreadInfo) => FieldValue,
  ptype = 'CHARBUF',
  pf = PF.NA,
): FieldSpec {
  return tf(name, ptype, pf, desc, (t, _ev, st) => {
    const p = parentThread(st, t);
    return p === null ? null : get(p);
  });
}

function stdFd(name: string, fd: number, what: 'type' | 'name'): FieldSpec {
  return tf(
    name,
    'CHARBUF',
    PF.NA,
    `The ${what} of the file descriptor ${fd} (${['stdin', 'stdout', 'stderr'][fd]}) of the process generating the event.`,
    (t) => {
      const f = peekFd(t, fd);
      if (f === null) return null;
      return what === 'type' ? f.typeString() : f.name;
    },
  );
}

function nonZero(v: number | undefined): number | null {
  return v === undefined || v === 0 ? null : v;
}

export const PROC_FIELDS: FieldSpec[] = [
  tf('proc.pid', 'INT64', PF.ID, 'the id of the process generating the event.', (t) => t.pid),
  tf(
    'proc.exe',
    'CHARBUF',
    PF.NA,
    'The first command-line argument (i.e., argv[0]), typically the executable name or a custom string as specified by the user.',
    (t) => t.exe,
  ),
  parentField('proc.pexe', 'The proc.exe (first command line argument argv[0]) of the parent process.', (p) => p.exe),
  ancestorSpec(
    'proc.aexe',
    'CHARBUF',
    PF.NA,
    'The proc.exe (first command line argument argv[0]) for a specific process ancestor, e.g. proc.aexe[1] for the parent; without an index, matches any ancestor in filters.',
    (a) => a.exe,
  ),
  tf('proc.exepath', 'CHARBUF', PF.NA, 'The full executable path of the process.', (t) => t.exepath),
  parentField('proc.pexepath', 'The proc.exepath (full executable path) of the parent process.', (p) => p.exepath),
  ancestorSpec(
    'proc.aexepath',
    'CHARBUF',
    PF.NA,
    'The proc.exepath (full executable path) for a specific process ancestor, e.g. proc.aexepath[2] for the grandparent; without an index, matches any ancestor in filters.',
    (a) => a.exepath,
  ),
  tf(
    'proc.name',
    'CHARBUF',
    PF.NA,
    'the name (excluding the path) of the executable generating the event.',
    (t) => t.comm,
  ),
  parentField(
    'proc.pname',
    'the name (excluding the path) of the parent of the process generating the event.',
    (p) => p.comm,
  ),
  ancestorSpec(
    'proc.aname',
    'CHARBUF',
    PF.NA,
    'the name (excluding the path) of one of the process ancestors. E.g. proc.aname[1] returns the parent name, proc.aname[2] returns the grandparent name, and so on. proc.aname[0] is the name of the current process. proc.aname without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.aname=bash.',
    (a) => a.comm,
  ),
  {
    name: 'proc.args',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'allowed',
    desc: 'the arguments passed on the command line when starting the process generating the event; proc.args[N] is the N-th argument (0-based, excluding argv[0]).',
    make: (arg) => {
      if (arg === null) return { extract: (_ev, st) => (st.cur.thread === null ? null : argsString(st.cur.thread)) };
      const n = parseIntArg('proc.args', arg);
      return {
        extract: (_ev, st) => {
          const t = st.cur.thread;
          if (t === null) return null;
          return n >= 0 && n < t.args.length ? t.args[n] : '';
        },
      };
    },
  },
  ancestorSpec(
    'proc.aargs',
    'CHARBUF',
    PF.NA,
    'The arguments passed on the command line for a specific process ancestor, e.g. proc.aargs[1] for the parent; without an index, matches any ancestor in filters.',
    (a) => argsString(a),
    { noRhs: false },
  ),
  tf('proc.cmdline', 'CHARBUF', PF.NA, 'full process command line, i.e. proc.name + proc.args.', (t) => cmdline(t)),
  parentField(
    'proc.pcmdline',
    'the full command line (proc.name + proc.args) of the parent of the process generating the event.',
    (p) => cmdline(p),
  ),
  ancestorSpec(
    'proc.acmdline',
    'CHARBUF',
    PF.NA,
    'The full command line (proc.name + proc.args) for a specific process ancestor, e.g. proc.acmdline[1] for the parent; without an index, matches any ancestor in filters.',
    (a) => cmdline(a),
  ),
  tf('proc.cmdnargs', 'UINT64', PF.DEC, 'The number of command line args (proc.args).', (t) => t.args.length),
  tf(
    'proc.cmdlenargs',
    'UINT64',
    PF.DEC,
    'The total count of characters / length of the command line args (proc.args) combined excluding whitespaces between args.',
    (t) => {
      let n = 0;
      for (const a of t.args) n += a.length;
      return n;
    },
  ),
  tf(
    'proc.exeline',
    'CHARBUF',
    PF.NA,
    'full process command line, with exe as first argument, i.e. proc.exe + proc.args.',
    (t) => t.exe + ' ' + argsString(t),
  ),
  {
    name: 'proc.env',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'allowed',
    desc: "the environment variables of the process generating the event as concatenated string 'ENV_NAME=value ENV_NAME1=value1'. proc.env[ENV_NAME] extracts the value of one variable.",
    make: (arg) => {
      if (arg === null || arg === '')
        return { extract: (_ev, st) => (st.cur.thread === null ? null : allEnv(st.cur.thread)) };
      return { extract: (_ev, st) => (st.cur.thread === null ? null : envValue(st.cur.thread, arg)) };
    },
  },
  {
    name: 'proc.aenv',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'allowed',
    noRhs: true,
    desc: 'the environment variables of a process ancestor: proc.aenv[N] for the ancestor N levels up, proc.aenv[NAME] for the first ancestor defining NAME.',
    make: (arg): Extractor => {
      if (arg === null) {
        return {
          cmp: 'any',
          values: (_ev, st) => {
            const t = st.cur.thread;
            if (t === null) return null;
            const mt = t.getMainThread();
            if (mt === null) return null;
            const out: FieldValue[] = [];
            traverseParents(st, mt, (p) => {
              out.push(allEnv(p));
              return true;
            });
            return out;
          },
          extract: (_ev, st) => (st.cur.thread === null ? null : allEnv(st.cur.thread)),
        };
      }
      if (isIntArg(arg)) {
        const n = parseIntArg('proc.aenv', arg);
        return {
          extract: (_ev, st) => {
            const t = st.cur.thread;
            if (t === null) return null;
            if (n < 1) return allEnv(t);
            const a = ancestorProcess(st, t, n);
            return a === null ? null : allEnv(a);
          },
        };
      }
      return {
        extract: (_ev, st) => {
          const t = st.cur.thread;
          if (t === null) return null;
          let mt = mainThread(t);
          let v = '';
          for (let j = 0; j < 20 && mt !== null; j++) {
            mt = parentThread(st, mt);
            if (mt === null) break;
            v = envValue(mt, arg);
            if (v !== '') break;
          }
          return v;
        },
      };
    },
  },
  tf('proc.cwd', 'CHARBUF', PF.NA, 'the current working directory of the event.', (t) => t.getCwd()),
  tf(
    'proc.loginshellid',
    'INT64',
    PF.ID,
    'the pid of the oldest shell among the ancestors of the current process, if there is one. This field can be used to separate different user sessions.',
    (t, _ev, st) => {
      const mt = mainThread(t);
      if (mt === null) return null;
      let res: number | null = null;
      const check = (p: ThreadInfo) => {
        const c = p.comm;
        if (c.length >= 2 && c.endsWith('sh')) res = p.pid;
        return true;
      };
      check(mt);
      traverseParents(st, mt, check);
      return res;
    },
  ),
  tf(
    'proc.tty',
    'UINT32',
    PF.ID,
    'The controlling terminal of the process. 0 for processes without a terminal.',
    (t) => t.tty >>> 0,
  ),
  tf('proc.sid', 'INT64', PF.ID, 'the session id of the process generating the event.', (t) => t.sid),
  tf(
    'proc.sname',
    'CHARBUF',
    PF.NA,
    "the name of the current process's session leader. This is either the process with pid=proc.sid or the eldest ancestor that has the same sid as the current process.",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.sid);
      return l === null ? null : l.comm;
    },
  ),
  tf(
    'proc.sid.exe',
    'CHARBUF',
    PF.NA,
    "The first command line argument argv[0] (usually the executable name or a custom one) of the current process's session leader.",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.sid);
      return l === null ? '' : l.exe;
    },
  ),
  tf(
    'proc.sid.exepath',
    'CHARBUF',
    PF.NA,
    "The full executable path of the current process's session leader.",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.sid);
      return l === null ? '' : l.exepath;
    },
  ),
  tf(
    'proc.is_sid_leader',
    'BOOL',
    PF.NA,
    'true if this process is the leader of the process session, proc.sid == proc.vpid.',
    (t) => t.sid === t.vpid,
  ),
  tf(
    'proc.vpgid',
    'INT64',
    PF.ID,
    'the process group id of the process generating the event, as seen from its current PID namespace.',
    (t) => t.vpgid,
  ),
  tf(
    'proc.vpgid.name',
    'CHARBUF',
    PF.NA,
    "the name of the current process's process group leader (vpgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.vpgid);
      return l === null ? '' : l.comm;
    },
  ),
  tf(
    'proc.vpgid.exe',
    'CHARBUF',
    PF.NA,
    "The first command line argument argv[0] of the current process's group leader (vpgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.vpgid);
      return l === null ? '' : l.exe;
    },
  ),
  tf(
    'proc.vpgid.exepath',
    'CHARBUF',
    PF.NA,
    "The full executable path of the current process's group leader (vpgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => x.vpgid);
      return l === null ? '' : l.exepath;
    },
  ),
  tf(
    'proc.is_vpgid_leader',
    'BOOL',
    PF.NA,
    'true if this process is the leader of the virtual process group, proc.vpgid == proc.vpid.',
    (t) => t.vpgid === t.vpid,
  ),
  tf(
    'proc.pgid',
    'INT64',
    PF.ID,
    'The process group id of the process generating the event, as seen from the host PID namespace.',
    (t) => extra(t, 'pgid') ?? -1,
  ),
  tf(
    'proc.pgid.name',
    'CHARBUF',
    PF.NA,
    "The name of the current process's process group leader (pgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => extra(x, 'pgid') ?? -1);
      return l === null ? '' : l.comm;
    },
  ),
  tf(
    'proc.pgid.exe',
    'CHARBUF',
    PF.NA,
    "The first command line argument argv[0] of the current process's group leader (pgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => extra(x, 'pgid') ?? -1);
      return l === null ? '' : l.exe;
    },
  ),
  tf(
    'proc.pgid.exepath',
    'CHARBUF',
    PF.NA,
    "The full executable path of the current process's group leader (pgid).",
    (t, _ev, st) => {
      const l = idLeader(st, t, (x) => extra(x, 'pgid') ?? -1);
      return l === null ? '' : l.exepath;
    },
  ),
  tf(
    'proc.is_pgid_leader',
    'BOOL',
    PF.NA,
    'true if this process is the leader of the process group, proc.pgid == proc.pid.',
    (t) => (extra(t, 'pgid') ?? -1) === t.pid,
  ),
  tf(
    'proc.vpid',
    'INT64',
    PF.ID,
    'the id of the process generating the event as seen from its current PID namespace.',
    (t) => (t.vpid === -1 ? null : t.vpid),
  ),
  tf(
    'proc.pvpid',
    'INT64',
    PF.ID,
    'the id of the parent process generating the event as seen from its current PID namespace.',
    (t, _ev, st) => {
      const p = st.threads.get(t.ptid);
      return p === undefined ? null : p.vpid;
    },
  ),
  tf('proc.ppid', 'INT64', PF.ID, 'the pid of the parent of the process generating the event.', (t) => {
    const mt = mainThread(t);
    return mt === null ? null : mt.ptid;
  }),
  ancestorSpec(
    'proc.apid',
    'INT64',
    PF.ID,
    'the pid of one of the process ancestors. E.g. proc.apid[1] returns the parent pid, proc.apid[2] returns the grandparent pid, and so on. proc.apid[0] is the pid of the current process. proc.apid without arguments can be used in filters only and matches any of the process ancestors, e.g. proc.apid=1234.',
    (a) => a.pid,
    { noArgSelf: true },
  ),
  tf('proc.duration', 'RELTIME', PF.DEC, 'number of nanoseconds since the process started.', (t, ev) =>
    t.cloneTs !== 0 ? ev.tsApprox() - t.cloneTs : null,
  ),
  tf(
    'proc.ppid.duration',
    'RELTIME',
    PF.DEC,
    'Number of nanoseconds since the parent process started.',
    (t, ev, st) => {
      const p = parentThread(st, t);
      return p === null || p.cloneTs === 0 ? null : ev.tsApprox() - p.cloneTs;
    },
  ),
  tf('proc.pid.ts', 'RELTIME', PF.DEC, 'Start of process as epoch timestamp in nanoseconds.', (t) =>
    nonZero(t.cloneTs),
  ),
  tf('proc.ppid.ts', 'RELTIME', PF.DEC, 'Start of parent process as epoch timestamp in nanoseconds.', (t, _ev, st) => {
    const p = st.threads.get(t.ptid);
    return p === undefined ? null : p.cloneTs;
  }),
  tf('proc.fdopencount', 'UINT64', PF.DEC, 'number of open FDs for the process', (t) => {
    const m = mainThread(t);
    return m === null ? null : m.fdTable.size;
  }),
  tf('proc.fdlimit', 'INT64', PF.DEC, 'maximum number of FDs the process can open.', (t) => {
    const m = mainThread(t);
    return m === null ? null : m.fdlimit;
  }),
  tf('proc.fdusage', 'DOUBLE', PF.NA, 'the ratio between open FDs and maximum available FDs for the process.', (t) => {
    const m = mainThread(t);
    if (m === null) return null;
    const lim = m.fdlimit;
    if (lim <= 0) return 0;
    const n = m.fdTable.size;
    return n <= lim ? (n * 100) / lim : 100;
  }),
  tf('proc.vmsize', 'UINT64', PF.DEC, 'total virtual memory for the process (as kb).', (t) => t.vmsizeKb),
  tf('proc.vmrss', 'UINT64', PF.DEC, 'resident non-swapped memory for the process (as kb).', (t) => t.vmrssKb),
  tf('proc.vmswap', 'UINT64', PF.DEC, 'swapped memory for the process (as kb).', (t) => t.vmswapKb),
  tf(
    'proc.nthreads',
    'UINT64',
    PF.DEC,
    'the number of threads that the process generating the event currently has, including the main process thread.',
    (t) => {
      const m = mainThread(t);
      return m === null ? null : m.nchilds + 1;
    },
  ),
  tf(
    'proc.nchilds',
    'UINT64',
    PF.DEC,
    'the number of child threads that the process generating the event currently has. This excludes the main process thread.',
    (t) => t.nchilds,
  ),
  tf(
    'proc.is_exe_writable',
    'BOOL',
    PF.NA,
    "true if this process' executable file is writable by the same user that spawned the process.",
    (t) => t.exeWritable,
  ),
  tf(
    'proc.is_exe_upper_layer',
    'BOOL',
    PF.NA,
    "true if this process' executable file is in upper layer in overlayfs.",
    (t) => t.exeUpperLayer,
  ),
  tf(
    'proc.is_exe_lower_layer',
    'BOOL',
    PF.NA,
    "true if this process' executable file is in lower layer in overlayfs.",
    (t) => extra(t, 'exeLowerLayer') ?? false,
  ),
  tf(
    'proc.is_exe_from_memfd',
    'BOOL',
    PF.NA,
    'true if the executable file of the current process is an anonymous file created using memfd_create() and is being executed by referencing its file descriptor (fd).',
    (t) => t.exeFromMemfd,
  ),
  tf('proc.exe_ino', 'INT64', PF.DEC, 'The inode number of the executable file on disk.', (t) =>
    nonZero(extra(t, 'exeIno')),
  ),
  tf(
    'proc.exe_ino.ctime',
    'ABSTIME',
    PF.DEC,
    'Last status change time of executable file (inode->ctime) as epoch timestamp in nanoseconds.',
    (t) => nonZero(extra(t, 'exeInoCtime')),
  ),
  tf(
    'proc.exe_ino.mtime',
    'ABSTIME',
    PF.DEC,
    'Last modification time of executable file (inode->mtime) as epoch timestamp in nanoseconds.',
    (t) => nonZero(extra(t, 'exeInoMtime')),
  ),
  tf(
    'proc.exe_ino.ctime_duration_proc_start',
    'ABSTIME',
    PF.DEC,
    'Number of nanoseconds between modifying status of executable image and spawning a new process using the changed executable image.',
    (t) => nonZero(extra(t, 'exeInoCtimeDurationCloneTs')),
  ),
  tf(
    'proc.exe_ino.ctime_duration_pidns_start',
    'ABSTIME',
    PF.DEC,
    'Number of nanoseconds between PID namespace start ts and ctime exe file if PID namespace start predates ctime.',
    (t) => nonZero(extra(t, 'exeInoCtimeDurationPidnsStart')),
  ),
  tf(
    'proc.pidns_init_start_ts',
    'UINT64',
    PF.DEC,
    'Start of PID namespace (container or non container pid namespace) as epoch timestamp in nanoseconds.',
    (t) => nonZero(extra(t, 'pidnsInitStartTs')),
  ),
  stdFd('proc.stdin.type', 0, 'type'),
  stdFd('proc.stdout.type', 1, 'type'),
  stdFd('proc.stderr.type', 2, 'type'),
  stdFd('proc.stdin.name', 0, 'name'),
  stdFd('proc.stdout.name', 1, 'name'),
  stdFd('proc.stderr.name', 2, 'name'),
  tf(
    'proc.is_container_healthcheck',
    'BOOL',
    PF.NA,
    "true if this process is running as a part of the container's health check.",
    (t) => extra(t, 'category') === 1,
  ),
  tf(
    'proc.is_container_liveness_probe',
    'BOOL',
    PF.NA,
    "true if this process is running as a part of the container's liveness probe.",
    (t) => extra(t, 'category') === 2,
  ),
  tf(
    'proc.is_container_readiness_probe',
    'BOOL',
    PF.NA,
    "true if this process is running as a part of the container's readiness probe.",
    (t) => extra(t, 'category') === 3,
  ),
];
