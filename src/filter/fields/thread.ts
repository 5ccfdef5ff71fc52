/** thread.* fields (libsinsp sinsp_filter_check_thread, thread part). */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import type { ThreadInfo } from '../../state/threadinfo';
import { FieldError, FieldValue } from '../field-api';
import { FieldSpec } from './common';
import { code } from '../../event/codes';
import { PF } from '../../event/types';

const CLS = 'thread';
const SCHEDSWITCH_1_E = code('PPME_SCHEDSWITCH_1_E');
const SCHEDSWITCH_6_E = code('PPME_SCHEDSWITCH_6_E');
const PROCINFO_E = code('PPME_PROCINFO_E');

type TFn = (t: ThreadInfo, ev: EventView, st: State) => FieldValue;

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

const CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const capCache = new Map<bigint, string>();
/** sinsp_utils::caps_to_string: names of the set bits, space-separated */
export function capsToString(caps: bigint | null): string {
  if (caps === null || caps === 0n) return '';
  let s = capCache.get(caps);
  if (s === undefined) {
    const out: string[] = [];
    for (let i = 0; i < CAPS.length; i++) if ((caps >> BigInt(i)) & 1n) out.push(CAPS[i]);
    s = out.join(' ');
    if (capCache.size < 4096) capCache.set(caps, s);
  }
  return s;
}

function splitCgroup(c: string): [string, string] {
  const i = c.indexOf('=');
  return i < 0 ? [c, ''] : [c.slice(0, i), c.slice(i + 1)];
}

/** thread.exectime: ns since the previous switch on the same CPU (per binding, as libsinsp) */
function exectimeSpec(name: string, desc: string, total: boolean): FieldSpec {
  return {
    name,
    ptype: 'RELTIME',
    pf: PF.DEC,
    desc,
    cls: CLS,
    make: () => {
      const lastHi: number[] = [],
        lastLo: number[] = [];
      const tot = new WeakMap<ThreadInfo, number>();
      return {
        extract: (ev, st) => {
          let v = 0;
          if (ev.type === SCHEDSWITCH_1_E || ev.type === SCHEDSWITCH_6_E) {
            const c = ev.cpu;
            const hi = lastHi[c] ?? 0,
              lo = lastLo[c] ?? 0;
            if (hi !== 0 || lo !== 0) v = (ev.tsHi - hi) * 4294967296 + (ev.tsLo - lo);
            lastHi[c] = ev.tsHi;
            lastLo[c] = ev.tsLo;
          }
          if (!total) return v;
          const t = st.cur.thread;
          if (t === null) return null;
          const n = (tot.get(t) ?? 0) + v;
          tot.set(t, n);
          return n;
        },
      };
    },
  };
}

/** thread.cpu*: CPU consumed since the previous procinfo event of the thread (per binding) */
function cpuSpec(name: string, desc: string, user: boolean, system: boolean): FieldSpec {
  return {
    name,
    ptype: 'DOUBLE',
    pf: PF.NA,
    desc,
    cls: CLS,
    make: () => {
      const lastTot = new WeakMap<ThreadInfo, number>();
      return {
        extract: (ev, st) => {
          const t = st.cur.thread;
          if (t === null || ev.type !== PROCINFO_E) return null;
          const tcpu = (user ? ev.u64(0) : 0) + (system ? ev.u64(1) : 0);
          const l = lastTot.get(t) ?? 0;
          let d = 0;
          if (l !== 0) d = Math.min(tcpu - l, 100);
          lastTot.set(t, tcpu);
          return d;
        },
      };
    },
  };
}

export const THREAD_FIELDS: FieldSpec[] = [
  {
    name: 'thread.tid',
    ptype: 'INT64',
    pf: PF.ID,
    cls: CLS,
    desc: 'the id of the thread generating the event.',
    make: () => ({ extract: (ev) => ev.tid }),
  },
  tf('thread.ismain', 'BOOL', PF.NA, "'true' if the thread generating the event is the main one in the process.", (t) =>
    t.isMainThread(),
  ),
  exectimeSpec(
    'thread.exectime',
    'CPU time spent by the last scheduled thread, in nanoseconds. Exported by switch events only.',
    false,
  ),
  exectimeSpec(
    'thread.totexectime',
    'Total CPU time, in nanoseconds since the beginning of the capture, for the current thread. Exported by switch events only.',
    true,
  ),
  tf(
    'thread.cgroups',
    'CHARBUF',
    PF.NA,
    'all the cgroups the thread belongs to, aggregated into a single string.',
    (t) => (t.cgroups.length === 0 ? null : t.cgroups.join(' ')),
  ),
  {
    name: 'thread.cgroup',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'required',
    desc: 'the cgroup the thread belongs to, for a specific subsystem. E.g. thread.cgroup.cpuacct.',
    dotted: (rest) => {
      const m = /^[A-Za-z_]+/.exec(rest);
      return m ? m[0].length : 0;
    },
    make: (arg) => {
      const a = arg as string;
      if (a === '') throw new FieldError('filter syntax error: thread.cgroup requires a subsystem name');
      return {
        extract: (_ev, st) => {
          const t = st.cur.thread;
          if (t === null) return null;
          for (const c of t.cgroups) {
            const [k, v] = splitCgroup(c);
            if (k === a) return v;
          }
          return null;
        },
      };
    },
  },
  tf(
    'thread.vtid',
    'INT64',
    PF.ID,
    'the id of the thread generating the event as seen from its current PID namespace.',
    (t) => (t.vtid === -1 ? null : t.vtid),
  ),
  cpuSpec('thread.cpu', 'the CPU consumed by the thread in the last second.', true, true),
  cpuSpec('thread.cpu.user', 'the user CPU consumed by the thread in the last second.', true, false),
  cpuSpec('thread.cpu.system', 'the system CPU consumed by the thread in the last second.', false, true),
  tf(
    'thread.vmsize',
    'UINT64',
    PF.DEC,
    'For the process main thread, this is the total virtual memory for the process (as kb). For the other threads, this field is zero.',
    (t) => (t.isMainThread() ? t.vmsizeKb : 0),
  ),
  tf(
    'thread.vmrss',
    'UINT64',
    PF.DEC,
    'For the process main thread, this is the resident non-swapped memory for the process (as kb). For the other threads, this field is zero.',
    (t) => (t.isMainThread() ? t.vmrssKb : 0),
  ),
  tf(
    'thread.vmsize.b',
    'UINT64',
    PF.DEC,
    'For the process main thread, this is the total virtual memory for the process (in bytes). For the other threads, this field is zero.',
    (t) => (t.isMainThread() ? t.vmsizeKb * 1024 : 0),
    { hidden: true },
  ),
  tf(
    'thread.vmrss.b',
    'UINT64',
    PF.DEC,
    'For the process main thread, this is the resident non-swapped memory for the process (in bytes). For the other threads, this field is zero.',
    (t) => (t.isMainThread() ? t.vmrssKb * 1024 : 0),
    { hidden: true },
  ),
  tf('thread.pfmajor', 'UINT64', PF.DEC, 'number of major page faults since thread start.', (t) => t.pfMajor),
  tf('thread.pfminor', 'UINT64', PF.DEC, 'number of minor page faults since thread start.', (t) => t.pfMinor),
  tf(
    'thread.nametid',
    'CHARBUF',
    PF.NA,
    'this field chains the process name and tid of a thread and can be used as a specific identifier of a thread for a specific execve.',
    (t, ev) => t.comm + String(ev.tid),
    { hidden: true },
  ),
  tf('thread.cap_permitted', 'CHARBUF', PF.NA, 'The permitted capabilities set', (t) => capsToString(t.capPermitted)),
  tf('thread.cap_inheritable', 'CHARBUF', PF.NA, 'The inheritable capabilities set', (t) =>
    capsToString(t.capInheritable),
  ),
  tf('thread.cap_effective', 'CHARBUF', PF.NA, 'The effective capabilities set', (t) => capsToString(t.capEffective)),
];
