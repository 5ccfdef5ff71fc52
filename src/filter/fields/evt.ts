/** evt.* and syscall.type fields (libsinsp sinsp_filter_check_gen_event + sinsp_filter_check_event). */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { FdType } from '../../scap/metadata';
import { FieldError, FieldValue } from '../field-api';
import { eventTypeName } from '../../params/event-names';
import { timeOfDay, dateTime, nanos9 } from '../../params/time';
import { concatenatePaths } from '../../util/paths';
import {
  FieldSpec,
  EF,
  EVT_FLAGS,
  EVT_CAT,
  ALL_PARAMS,
  EVENT_NAMES,
  paramIndex,
  readParam,
  readParamAs,
  paramRenderer,
  renderValue,
  formatTimeNice,
  isIntArg,
  parseIntArg,
  peekFd,
} from './common';
import { PF, PT_NAMES } from '../../event/types';
import { EVENTS } from '../../event/generated/events';
import { code, isGeneric } from '../../event/codes';
import { SYSCALL_CATEGORIES } from './syscall-categories';

const CLS = 'evt';
const SCHEDSWITCH_6_E = code('PPME_SCHEDSWITCH_6_E');
const OPEN_X = code('PPME_SYSCALL_OPEN_X');
const OPENAT_E = code('PPME_SYSCALL_OPENAT_E');
const OPENAT_2_X = code('PPME_SYSCALL_OPENAT_2_X');
const OPENAT2_X = code('PPME_SYSCALL_OPENAT2_X');
const CREAT_X = code('PPME_SYSCALL_CREAT_X');
const ASYNCEVENT_E = code('PPME_ASYNCEVENT_E');
const PPM_O_RDONLY = 1,
  PPM_O_WRONLY = 2,
  PPM_O_CREAT = 4,
  PPM_O_TMPFILE = 8192;
const EXEC_MASK = 64 | 8 | 1;

// ---------------------------------------------------------------------------------------------
// Per-State knobs the CLI may set

interface EvtOptions {
  firstTs: bigint | null;
  outputTime: string;
}
const opts = new WeakMap<State, EvtOptions>();
function optsOf(st: State): EvtOptions {
  let o = opts.get(st);
  if (o === undefined) {
    o = { firstTs: null, outputTime: 'h' };
    opts.set(st, o);
  }
  return o;
}
const CONTAINER_JSON = new Set([code('PPME_CONTAINER_JSON_E'), code('PPME_CONTAINER_JSON_2_E')]);

/**
 * Call for every event read (before filtering) so evt.reltime / -t r count from the first
 * event like sinsp's m_firstevent_ts (container JSON events do not count).
 */
export function observeEvent(st: State, ev: EventView): void {
  const o = optsOf(st);
  if (o.firstTs === null && !CONTAINER_JSON.has(ev.type)) o.firstTs = ev.tsBig();
}
/** Timestamp of the first event of the capture (evt.reltime); defaults to the first one extracted. */
export function setFirstEventTs(st: State, ts: bigint): void {
  optsOf(st).firstTs = ts;
}
/** sysdig -t: h (default), a, r, d, D — for %evt.outputtime */
export function setOutputTimeFormat(st: State, fmt: string): void {
  optsOf(st).outputTime = fmt;
}

function firstTs(ev: EventView, st: State): bigint {
  const o = optsOf(st);
  if (o.firstTs === null) {
    // sinsp's m_firstevent_ts stays 0 while only container JSON events were read
    if (CONTAINER_JSON.has(ev.type)) return 0n;
    o.firstTs = ev.tsBig();
  }
  return o.firstTs;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isExit(ev: EventView): boolean {
  return (ev.type & 1) === 1;
}

/** the return value's parameter (res, or the fd a creating exit returns), -1 if none */
export function resIndex(ev: EventView): number {
  let i = paramIndex(ev, 'res');
  if (i >= 0) return i;
  if ((EVT_FLAGS[ev.type] & EF.CREATES_FD) !== 0 && isExit(ev)) {
    i = paramIndex(ev, 'fd');
    if (i >= 0) return i;
  }
  return -1;
}

function errorCount(ev: EventView): number | null {
  const i = resIndex(ev);
  if (i < 0) return null;
  return ev.i64(i) < 0 ? 1 : null;
}

function renderedArg(ev: EventView, st: State, i: number): string {
  const r = paramRenderer(st);
  r.render(ev, i);
  return r.resolved !== '' ? r.resolved : r.value;
}

function ioBase(cat: string): boolean {
  return cat === 'IO_READ' || cat === 'IO_WRITE' || cat === 'IO_OTHER';
}

function category(ev: EventView, st: State): string {
  let c: string;
  let generic = false;
  if (isGeneric(ev.type)) {
    const id = ev.paramCount > 0 ? ev.u16(0) : 0;
    c = id < SYSCALL_CATEGORIES.length ? SYSCALL_CATEGORIES[id] : 'UNKNOWN';
    generic = true;
  } else {
    c = ev.type < EVT_CAT.length ? EVT_CAT[ev.type] : 'UNKNOWN';
  }
  switch (c) {
    case 'UNKNOWN':
      return 'unknown';
    case 'OTHER':
      return 'other';
    case 'FILE':
      return 'file';
    case 'NET':
      return 'net';
    case 'IPC':
      return 'IPC';
    case 'MEMORY':
      return 'memory';
    case 'PROCESS':
      return 'process';
    case 'SLEEP':
      return 'sleep';
    case 'SYSTEM':
      return 'system';
    case 'SIGNAL':
      return 'signal';
    case 'USER':
      return 'user';
    case 'TIME':
      return 'time';
    case 'PROCESSING':
      return 'processing';
    case 'WAIT':
      return 'wait';
    case 'SCHEDULER':
      return 'scheduler';
    case 'IO_READ':
    case 'IO_WRITE':
    case 'IO_OTHER': {
      if (generic) return 'unknown';
      const f = st.cur.fd;
      if (f === null) return 'unknown';
      switch (f.type) {
        case FdType.FILE:
        case FdType.FILE_V2:
        case FdType.DIRECTORY:
          return 'file';
        case FdType.IPV4_SOCK:
        case FdType.IPV6_SOCK:
        case FdType.IPV4_SERVSOCK:
        case FdType.IPV6_SERVSOCK:
          return 'net';
        case FdType.FIFO:
        case FdType.UNIX_SOCK:
        case FdType.EVENT:
        case FdType.SIGNALFD:
        case FdType.INOTIFY:
          return 'ipc';
        default:
          return 'unknown';
      }
    }
    default:
      return 'unknown';
  }
}

/** evt->m_tinfo: the parser's thread, not get_thread_info()'s lookup fallback */
function evtTinfo(st: State) {
  return st.cur.noTinfo ? null : st.cur.thread;
}

function latency(ev: EventView, st: State): number | null {
  const t = evtTinfo(st);
  if (t === null) return 0;
  if (EVT_CAT[ev.type] === 'INTERNAL') return null;
  return t.latency;
}

/** nanoseconds between two event timestamps held as (hi, lo) */
function tsDelta(hi: number, lo: number, phi: number, plo: number): number {
  return (hi - phi) * 4294967296 + (lo - plo);
}

function isoTime(ev: EventView): string {
  const d = new Date(ev.tsSeconds() * 1000);
  const p = (n: number) => (n < 10 ? '0' + n : '' + n);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${nanos9(ev.tsNanos())}+0000`;
}

function openFlagsIndex(ev: EventView): number {
  const t = ev.type;
  if (t === OPEN_X || t === OPENAT_E) return 2;
  if (t === OPENAT_2_X || t === OPENAT2_X) return 3;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Field constructors

type Fn = (ev: EventView, st: State) => FieldValue;

function simple(
  name: string,
  ptype: string,
  pf: PF,
  desc: string,
  fn: Fn,
  more: Partial<FieldSpec> = {},
  fmt?: (ev: EventView, st: State) => string | null,
): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    ...more,
    make: () => (fmt ? { extract: fn, format: fmt } : { extract: fn }),
  };
}

/** evt.deltatime family: per binding, delta to the previous event this binding saw */
function deltaSpec(name: string, pf: PF, desc: string, part: 'all' | 's' | 'ns'): FieldSpec {
  return {
    name,
    ptype: 'RELTIME',
    pf,
    desc,
    cls: CLS,
    make: () => {
      // libsinsp's m_u64val: 0 means "no previous event" (an event stamped 0 keeps it so)
      let phi = 0,
        plo = 0;
      return {
        extract: (ev) => {
          if (phi === 0 && plo === 0) {
            phi = ev.tsHi;
            plo = ev.tsLo;
            return 0;
          }
          const d = tsDelta(ev.tsHi, ev.tsLo, phi, plo);
          phi = ev.tsHi;
          plo = ev.tsLo;
          if (d < 0) {
            // an event older than the previous one (container events are stamped when their
            // metadata arrived): libsinsp's uint64 subtraction wraps
            const w = (1n << 64n) + BigInt(d);
            return part === 'all' ? w : part === 's' ? Number(w / 1000000000n) : Number(w % 1000000000n);
          }
          return part === 'all' ? d : part === 's' ? Math.floor(d / 1e9) : d % 1e9;
        },
      };
    },
  };
}

/** longest parameter name (of any event) that is a prefix of rest, like find_longest_matching_evt_param */
function longestParam(rest: string): number {
  let best = 0;
  for (const n of ALL_PARAMS.keys()) if (n.length > best && rest.startsWith(n)) best = n.length;
  return best;
}

function evtArgSpec(): FieldSpec {
  return {
    name: 'evt.arg',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'required',
    desc: "one of the event arguments specified by name or by number. Some events (e.g. return codes or FDs) will be converted into a text representation when possible. E.g. 'evt.arg.fd' or 'evt.arg[0]'.",
    dotted: longestParam,
    make: (arg) => {
      const a = arg as string;
      if (isIntArg(a)) {
        const n = parseIntArg('evt.arg', a);
        return {
          extract: (ev, st) => (n >= 0 && n < ev.paramCount ? renderedArg(ev, st, n) : null),
        };
      }
      if (!ALL_PARAMS.has(a)) throw new FieldError(`unknown event argument ${a}`);
      return {
        extract: (ev, st) => {
          const i = paramIndex(ev, a);
          return i < 0 ? null : renderedArg(ev, st, i);
        },
      };
    },
  };
}

function evtRawargSpec(): FieldSpec {
  return {
    name: 'evt.rawarg',
    ptype: 'DYN',
    pf: PF.NA,
    cls: CLS,
    arg: 'required',
    noRhs: true,
    desc: "one of the event arguments specified by name. E.g. 'evt.rawarg.fd'.",
    dotted: longestParam,
    make: (arg) => {
      const a = arg as string;
      if (isIntArg(a)) throw new FieldError('evt.arg fields must be expressed explicitly');
      const pt = ALL_PARAMS.get(a);
      if (pt === undefined) throw new FieldError(`unknown event argument ${a}`);
      const ptype = PT_NAMES[pt] ?? 'DYN';
      return {
        ptype,
        extract: (ev) => {
          const i = paramIndex(ev, a);
          return i < 0 ? null : readParam(ev, i);
        },
        format: (ev) => {
          // libsinsp renders the raw bytes as the type the name had at compile time, with PF_NA
          const i = paramIndex(ev, a);
          if (i < 0) return null;
          return renderValue(readParamAs(ev, i, pt), ptype, PF.NA);
        },
      };
    },
  };
}

function evtTypeIsSpec(): FieldSpec {
  return {
    name: 'evt.type.is',
    ptype: 'UINT32',
    pf: PF.NA,
    cls: CLS,
    arg: 'required',
    desc: 'allows one to specify an event type, and returns 1 for events that are of that type. For example, evt.type.is.open returns 1 for open events, 0 for any other event.',
    dotted: (rest) => {
      const m = /^[0-9]+/.exec(rest);
      if (m) return m[0].length;
      let best = 0;
      for (const n of EVENT_NAMES) if (n.length > best && rest.startsWith(n)) best = n.length;
      return best;
    },
    make: (arg) => {
      const a = arg as string;
      let id0 = -1,
        id1 = -1;
      if (/^[0-9]+$/.test(a)) {
        id0 = Number(a);
      } else {
        const j = EVENTS.findIndex((e) => e !== null && e.name === a);
        if (j < 0) throw new FieldError(`filter_check called with nonexistent field evt.type.is.${a}`);
        id0 = j;
        id1 = j + 1;
      }
      return { extract: (ev) => (ev.type === id0 || ev.type === id1 ? 1 : 0) };
    },
  };
}

function abspathSpec(): FieldSpec {
  const AT_FDCWD = -100;
  const RENAMEAT_X = code('PPME_SYSCALL_RENAMEAT_X'),
    RENAMEAT2_X = code('PPME_SYSCALL_RENAMEAT2_X');
  const SYMLINKAT_X = code('PPME_SYSCALL_SYMLINKAT_X');
  const LINKAT_E = code('PPME_SYSCALL_LINKAT_E'),
    LINKAT_2_X = code('PPME_SYSCALL_LINKAT_2_X');
  const UNLINKAT_E = code('PPME_SYSCALL_UNLINKAT_E'),
    UNLINKAT_2_X = code('PPME_SYSCALL_UNLINKAT_2_X');
  const MKDIRAT_X = code('PPME_SYSCALL_MKDIRAT_X'),
    FCHMODAT_X = code('PPME_SYSCALL_FCHMODAT_X');
  return {
    name: 'evt.abspath',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    arg: 'allowed',
    desc: "Absolute path calculated from dirfd and name during syscalls like renameat and symlinkat. Use 'evt.abspath.src' or 'evt.abspath.dst' for syscalls that support multiple paths.",
    dotted: (rest) => (rest.startsWith('src') || rest.startsWith('dst') ? 3 : 0),
    make: (arg) => {
      if (arg !== null && arg !== 'src' && arg !== 'dst')
        throw new FieldError(`filter_check called with nonexistent field evt.abspath.${arg}`);
      const which = arg === 'dst' ? 2 : arg === 'src' ? 1 : 0;
      return {
        extract: (ev, st) => {
          const t = evtTinfo(st);
          if (t === null) return null;
          const et = ev.type;
          let dn: string | null = null,
            pn: string | null = null;
          if (et === RENAMEAT_X || et === RENAMEAT2_X) {
            if (which <= 1) {
              dn = 'olddirfd';
              pn = 'oldpath';
            } else {
              dn = 'newdirfd';
              pn = 'newpath';
            }
          } else if (et === SYMLINKAT_X) {
            dn = 'linkdirfd';
            pn = 'linkpath';
          } else if (et === OPENAT_E || et === OPENAT_2_X || et === OPENAT2_X) {
            dn = 'dirfd';
            pn = 'name';
          } else if (et === LINKAT_E || et === LINKAT_2_X) {
            if (which <= 1) {
              dn = 'olddir';
              pn = 'oldpath';
            } else {
              dn = 'newdir';
              pn = 'newpath';
            }
          } else if (et === UNLINKAT_E || et === UNLINKAT_2_X) {
            dn = 'dirfd';
            pn = 'name';
          } else if (et === MKDIRAT_X) {
            dn = 'dirfd';
            pn = 'path';
          } else if (et === FCHMODAT_X) {
            dn = 'dirfd';
            pn = 'filename';
          }
          if (dn === null || pn === null) return null;
          const di = paramIndex(ev, dn),
            pi = paramIndex(ev, pn);
          if (di < 0 || pi < 0) return null;
          const dirfd = ev.i64(di);
          const path = ev.str(pi);
          let sdir: string;
          if (path.charCodeAt(0) === 0x2f) sdir = '.';
          else if (dirfd === AT_FDCWD) sdir = t.getCwd();
          else {
            const f = peekFd(t, dirfd);
            sdir = f === null ? '<UNKNOWN>/' : f.name.endsWith('/') ? f.name : f.name + '/';
          }
          return concatenatePaths(sdir, path);
        },
      };
    },
  };
}

function openCheck(kind: 'read' | 'write' | 'exec' | 'create'): Fn {
  return (ev) => {
    const i = openFlagsIndex(ev);
    if (i >= 0) {
      if (!ev.has(i)) return false;
      const flags = ev.u32(i);
      switch (kind) {
        case 'read':
          return (flags & PPM_O_RDONLY) !== 0;
        case 'write':
          return (flags & PPM_O_WRONLY) !== 0;
        case 'create':
          return (flags & PPM_O_CREAT) !== 0;
        case 'exec':
          if ((flags & (PPM_O_TMPFILE | PPM_O_CREAT)) === 0) return false;
          return ev.has(i + 1) && (ev.u32(i + 1) & EXEC_MASK) !== 0;
      }
    }
    if (kind === 'exec' && ev.type === CREAT_X) return ev.has(2) && (ev.u32(2) & EXEC_MASK) !== 0;
    return false;
  };
}

function buflen(
  ev: EventView,
  st: State,
  cat: 'any' | 'IO_READ' | 'IO_WRITE',
  fdk: 'any' | 'file' | 'net',
): number | null {
  const f = st.cur.fd;
  if (f === null) return null;
  const c = EVT_CAT[ev.type];
  if (cat === 'any' ? !ioBase(c) : c !== cat) return null;
  if (fdk === 'file' && !(f.type === FdType.FILE || f.type === FdType.FILE_V2)) return null;
  if (fdk === 'net' && !(f.type >= FdType.IPV4_SOCK && f.type <= FdType.IPV6_SERVSOCK)) return null;
  if (!isExit(ev) || ev.paramCount < 1) return null;
  const r = ev.i64(0);
  return r >= 0 ? r : null;
}

function countErr(pred: (ev: EventView, st: State) => boolean): Fn {
  return (ev, st) => (pred(ev, st) ? errorCount(ev) : null);
}

const FILE_FD = (t: FdType) => t === FdType.FILE || t === FdType.FILE_V2 || t === FdType.DIRECTORY;
const NET_FD = (t: FdType) =>
  t === FdType.IPV4_SOCK ||
  t === FdType.IPV6_SOCK ||
  t === FdType.IPV4_SERVSOCK ||
  t === FdType.IPV6_SERVSOCK ||
  t === FdType.UNIX_SOCK;
const OPEN_XS = new Set([OPEN_X, CREAT_X, code('PPME_SYSCALL_OPENAT_X'), OPENAT_2_X, OPENAT2_X]);
const ACCEPT_CONNECT_XS = new Set([
  code('PPME_SOCKET_ACCEPT_X'),
  code('PPME_SOCKET_ACCEPT_5_X'),
  code('PPME_SOCKET_ACCEPT4_X'),
  code('PPME_SOCKET_ACCEPT4_5_X'),
  code('PPME_SOCKET_CONNECT_X'),
]);

export const EVT_FIELDS: FieldSpec[] = [
  simple('evt.num', 'UINT64', PF.ID, 'event number.', (ev) => ev.num),
  simple('evt.time', 'CHARBUF', PF.NA, 'event timestamp as a time string that includes the nanosecond part.', (ev) =>
    timeOfDay(ev.tsSeconds(), ev.tsNanos()),
  ),
  simple('evt.time.s', 'CHARBUF', PF.NA, 'event timestamp as a time string with no nanoseconds.', (ev) =>
    timeOfDay(ev.tsSeconds(), ev.tsNanos()).slice(0, 8),
  ),
  simple(
    'evt.time.iso8601',
    'CHARBUF',
    PF.NA,
    'event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).',
    isoTime,
  ),
  simple('evt.datetime', 'CHARBUF', PF.NA, 'event timestamp as a time string that includes the date.', (ev) =>
    dateTime(ev.tsSeconds(), ev.tsNanos()),
  ),
  simple('evt.datetime.s', 'CHARBUF', PF.NA, 'event timestamp as a datetime string with no nanoseconds.', (ev) =>
    dateTime(ev.tsSeconds(), ev.tsNanos()).slice(0, 19),
  ),
  simple('evt.rawtime', 'ABSTIME', PF.DEC, 'absolute event timestamp, i.e. nanoseconds from epoch.', (ev) =>
    ev.tsBig(),
  ),
  simple('evt.rawtime.s', 'ABSTIME', PF.DEC, 'integer part of the event timestamp (e.g. seconds since epoch).', (ev) =>
    ev.tsSeconds(),
  ),
  simple('evt.rawtime.ns', 'ABSTIME', PF.PADDED_DEC, 'fractional part of the absolute event timestamp.', (ev) =>
    ev.tsNanos(),
  ),
  simple(
    'evt.reltime',
    'RELTIME',
    PF.PADDED_DEC,
    'number of nanoseconds from the beginning of the capture.',
    (ev, st) => Number(ev.tsBig() - firstTs(ev, st)),
  ),
  simple('evt.reltime.s', 'RELTIME', PF.DEC, 'number of seconds from the beginning of the capture.', (ev, st) =>
    Number((ev.tsBig() - firstTs(ev, st)) / 1000000000n),
  ),
  simple(
    'evt.reltime.ns',
    'RELTIME',
    PF.PADDED_DEC,
    'fractional part (in ns) of the time from the beginning of the capture.',
    (ev, st) => Number((ev.tsBig() - firstTs(ev, st)) % 1000000000n),
  ),
  simple(
    'evt.pluginname',
    'CHARBUF',
    PF.NA,
    'if the event comes from a plugin, the name of the plugin that generated it. The plugin must be currently loaded.',
    () => null,
  ),
  simple(
    'evt.plugininfo',
    'CHARBUF',
    PF.NA,
    'if the event comes from a plugin, a summary of the event as formatted by the plugin. The plugin must be currently loaded.',
    () => null,
  ),
  simple('evt.source', 'CHARBUF', PF.NA, 'The name of the source that produced the event.', () => 'syscall'),
  simple(
    'evt.hostname',
    'CHARBUF',
    PF.NA,
    'The hostname of the underlying host can be customized by setting an environment variable (e.g. FALCO_HOSTNAME for the Falco agent). This is valuable in Kubernetes setups, where the hostname can match the pod name particularly in DaemonSet deployments.',
    (_ev, st) => (st.machine !== null && st.machine.hostname !== '' ? st.machine.hostname : null),
  ),
  simple(
    'evt.is_async',
    'BOOL',
    PF.NA,
    "'true' for asynchronous events, 'false' otherwise.",
    (ev) => ev.type === ASYNCEVENT_E,
  ),
  simple(
    'evt.asynctype',
    'CHARBUF',
    PF.NA,
    "If the event is asynchronous, the type of the event (e.g. 'container').",
    (ev) => (ev.type === ASYNCEVENT_E && ev.has(1) ? ev.str(1) : null),
  ),

  simple(
    'evt.latency',
    'RELTIME',
    PF.DEC,
    'delta between an exit event and the correspondent enter event, in nanoseconds.',
    latency,
  ),
  simple('evt.latency.s', 'RELTIME', PF.DEC, 'integer part of the event latency delta.', (ev, st) => {
    const l = latency(ev, st);
    return l === null ? null : Math.floor(l / 1e9);
  }),
  simple('evt.latency.ns', 'RELTIME', PF.PADDED_DEC, 'fractional part of the event latency delta.', (ev, st) => {
    const l = latency(ev, st);
    return l === null ? null : l % 1e9;
  }),
  simple(
    'evt.latency.quantized',
    'UINT64',
    PF.DEC,
    '10-base log of the delta between an exit event and the correspondent enter event.',
    (ev, st) => {
      const l = latency(ev, st);
      if (l === null || l === 0) return null;
      const ll = Math.min(Math.log10(l), 11);
      return Math.floor((ll * -1) / 11) + 1; // g_screen_w is -1 outside csysdig
    },
    { hidden: true },
  ),
  {
    name: 'evt.latency.human',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'delta between an exit event and the correspondent enter event, as a human readable string (e.g. 10.3ms).',
    make: () => {
      // without a thread libsinsp returns its m_strstorage untouched: this field's last value
      let last = '';
      return {
        extract: (ev, st) => {
          const t = evtTinfo(st);
          if (t === null) return last;
          if (EVT_CAT[ev.type] === 'INTERNAL') return null;
          return (last = formatTimeNice(t.latency));
        },
      };
    },
  },
  deltaSpec('evt.deltatime', PF.DEC, 'delta between this event and the previous event, in nanoseconds.', 'all'),
  deltaSpec('evt.deltatime.s', PF.DEC, 'integer part of the delta between this event and the previous event.', 's'),
  deltaSpec(
    'evt.deltatime.ns',
    PF.PADDED_DEC,
    'fractional part of the delta between this event and the previous event.',
    'ns',
  ),
  {
    name: 'evt.outputtime',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: "this depends on -t param, default is %evt.time ('h').",
    make: () => {
      let phi = 0,
        plo = 0;
      const fn: Fn = (ev, st) => {
        const o = optsOf(st).outputTime;
        switch (o) {
          case 'a':
            return ev.tsSeconds() + '.' + String(ev.tsNanos());
          case 'r': {
            const d = ev.tsBig() - firstTs(ev, st);
            return (d / 1000000000n).toString() + '.' + nanos9(Number(d % 1000000000n));
          }
          case 'd': {
            const t = evtTinfo(st);
            if (t === null) return '0.000000000';
            return Math.floor(t.latency / 1e9) + '.' + nanos9(t.latency % 1e9);
          }
          case 'D': {
            if (phi === 0 && plo === 0) {
              phi = ev.tsHi;
              plo = ev.tsLo;
            }
            const d = tsDelta(ev.tsHi, ev.tsLo, phi, plo);
            phi = ev.tsHi;
            plo = ev.tsLo;
            if (d < 0) {
              // uint64 wrap, as in libsinsp
              const w = (1n << 64n) + BigInt(d);
              return (w / 1000000000n).toString() + '.' + nanos9(Number(w % 1000000000n));
            }
            return Math.floor(d / 1e9) + '.' + nanos9(d % 1e9);
          }
          default:
            return timeOfDay(ev.tsSeconds(), ev.tsNanos());
        }
      };
      return { extract: fn };
    },
  },
  simple(
    'evt.dir',
    'CHARBUF',
    PF.DIR,
    "event direction can be either '>' for enter events or '<' for exit events.",
    (ev) => ((ev.type & 1) === 0 ? '>' : '<'),
  ),
  simple('evt.type', 'CHARBUF', PF.NA, "The name of the event (e.g. 'open').", (ev) => eventTypeName(ev)),
  evtTypeIsSpec(),
  simple(
    'syscall.type',
    'CHARBUF',
    PF.NA,
    "For system call events, the name of the system call (e.g. 'open'). Unset for other events (e.g. switch or internal events). Use this field instead of evt.type if you need to make sure that the filtered/printed value is actually a system call.",
    (ev) => {
      const et = ev.type;
      if (
        et === SCHEDSWITCH_6_E ||
        et >= EVT_CAT.length ||
        EVT_CAT[et] === 'INTERNAL' ||
        (EVT_FLAGS[et] & EF.SKIPPARSERESET) !== 0
      )
        return null;
      return eventTypeName(ev);
    },
  ),
  simple(
    'evt.category',
    'CHARBUF',
    PF.NA,
    "The event category. Example values are 'file' (for file operations like open and close), 'net' (for network operations like socket and bind), memory (for things like brk or mmap), and so on.",
    category,
  ),
  simple('evt.cpu', 'INT16', PF.ID, 'number of the CPU where this event happened.', (ev) => ev.cpu),
  simple('evt.args', 'CHARBUF', PF.NA, 'all the event arguments, aggregated into a single string.', (ev, st) =>
    isGeneric(ev.type) ? '' : paramRenderer(st).info(ev),
  ),
  evtArgSpec(),
  evtRawargSpec(),
  simple(
    'evt.info',
    'CHARBUF',
    PF.NA,
    'for most events, this field returns the same value as evt.args. However, for some events (like writes to /dev/log) it provides higher level information coming from decoding the arguments.',
    (ev, st) => (isGeneric(ev.type) ? '' : paramRenderer(st).info(ev)),
  ),
  simple(
    'evt.buffer',
    'BYTEBUF',
    PF.NA,
    "the binary data buffer for events that have one, like read(), recvfrom(), etc. Use this field in filters with 'contains' to search into I/O data buffers.",
    (ev) => {
      const i = paramIndex(ev, 'data');
      return i < 0 ? null : ev.bytes(i);
    },
    {},
    (ev, st) => {
      const i = paramIndex(ev, 'data');
      if (i < 0) return null;
      const r = paramRenderer(st);
      r.render(ev, i);
      return r.value;
    },
  ),
  simple(
    'evt.buflen',
    'UINT64',
    PF.DEC,
    'the length of the binary data buffer for events that have one, like read(), recvfrom(), etc.',
    (ev, st) => buflen(ev, st, 'any', 'any'),
  ),
  simple(
    'evt.res',
    'CHARBUF',
    PF.DEC,
    "event return value, as a string. If the event failed, the result is an error code string (e.g. 'ENOENT'), otherwise the result is the string 'SUCCESS'.",
    (ev, st) => {
      const i = resIndex(ev);
      if (i < 0) return null;
      if (ev.i64(i) >= 0) return 'SUCCESS';
      const r = paramRenderer(st);
      r.render(ev, i);
      return r.resolved !== '' ? r.resolved : r.value;
    },
  ),
  simple(
    'evt.rawres',
    'INT64',
    PF.DEC,
    'event return value, as a number (e.g. -2). Useful for range comparisons.',
    (ev) => {
      const i = resIndex(ev);
      return i < 0 ? null : ev.i64(i);
    },
  ),
  simple('evt.failed', 'BOOL', PF.NA, "'true' for events that returned an error status.", (ev) => {
    const i = resIndex(ev);
    return i >= 0 && ev.i64(i) < 0;
  }),
  simple(
    'evt.is_io',
    'BOOL',
    PF.NA,
    "'true' for events that read or write to FDs, like read(), send, recvfrom(), etc.",
    (ev) => (EVT_FLAGS[ev.type] & (EF.READS_FROM_FD | EF.WRITES_TO_FD)) !== 0,
  ),
  simple(
    'evt.is_io_read',
    'BOOL',
    PF.NA,
    "'true' for events that read from FDs, like read(), recv(), recvfrom(), etc.",
    (ev) => (EVT_FLAGS[ev.type] & EF.READS_FROM_FD) !== 0,
  ),
  simple(
    'evt.is_io_write',
    'BOOL',
    PF.NA,
    "'true' for events that write to FDs, like write(), send(), etc.",
    (ev) => (EVT_FLAGS[ev.type] & EF.WRITES_TO_FD) !== 0,
  ),
  simple(
    'evt.io_dir',
    'CHARBUF',
    PF.NA,
    "'r' for events that read from FDs, like read(); 'w' for events that write to FDs, like write().",
    (ev) => {
      const f = EVT_FLAGS[ev.type];
      return (f & EF.WRITES_TO_FD) !== 0 ? 'write' : (f & EF.READS_FROM_FD) !== 0 ? 'read' : null;
    },
  ),
  simple(
    'evt.is_wait',
    'BOOL',
    PF.NA,
    "'true' for events that make the thread wait, e.g. sleep(), select(), poll().",
    (ev) => (EVT_FLAGS[ev.type] & EF.WAITS) !== 0,
  ),
  simple(
    'evt.wait_latency',
    'RELTIME',
    PF.DEC,
    'for events that make the thread wait (e.g. sleep(), select(), poll()), this is the time spent waiting for the event to return, in nanoseconds.',
    (ev, st) => {
      if ((EVT_FLAGS[ev.type] & EF.WAITS) === 0 || !isExit(ev)) return null;
      const t = evtTinfo(st);
      return t === null ? 0 : t.latency;
    },
  ),
  simple(
    'evt.is_syslog',
    'BOOL',
    PF.NA,
    "'true' for events that are writes to /dev/log.",
    (ev, st) =>
      (EVT_FLAGS[ev.type] & EF.WRITES_TO_FD) !== 0 && st.cur.fd !== null && st.cur.fd.name.includes('/dev/log'),
  ),
  simple(
    'evt.count',
    'UINT32',
    PF.DEC,
    'This filter field always returns 1 and can be used to count events from inside chisels.',
    () => 1,
  ),
  simple(
    'evt.count.error',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for events that returned with an error, and can be used to count event failures from inside chisels.',
    (ev) => errorCount(ev),
  ),
  simple(
    'evt.count.error.file',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for events that returned with an error and are related to file I/O, and can be used to count event failures from inside chisels.',
    countErr((ev, st) => (st.cur.fd !== null ? FILE_FD(st.cur.fd.type) : OPEN_XS.has(ev.type))),
  ),
  simple(
    'evt.count.error.net',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for events that returned with an error and are related to network I/O, and can be used to count event failures from inside chisels.',
    countErr((ev, st) => (st.cur.fd !== null ? NET_FD(st.cur.fd.type) : ACCEPT_CONNECT_XS.has(ev.type))),
  ),
  simple(
    'evt.count.error.memory',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for events that returned with an error and are related to memory allocation, and can be used to count event failures from inside chisels.',
    countErr((ev) => EVT_CAT[ev.type] === 'MEMORY'),
  ),
  simple(
    'evt.count.error.other',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for events that returned with an error and are related to none of the previous categories, and can be used to count event failures from inside chisels.',
    countErr((ev, st) =>
      st.cur.fd !== null
        ? !(FILE_FD(st.cur.fd.type) || NET_FD(st.cur.fd.type))
        : !(OPEN_XS.has(ev.type) || ACCEPT_CONNECT_XS.has(ev.type) || EVT_CAT[ev.type] === 'MEMORY'),
    ),
  ),
  simple(
    'evt.count.exit',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for exit events, and can be used to count single events from inside chisels.',
    (ev) => (isExit(ev) ? 1 : null),
  ),
  simple(
    'evt.count.procinfo',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for procinfo events generated by process main threads, and can be used to count processes from inside views.',
    (ev, st) =>
      ev.type === code('PPME_PROCINFO_E') && st.cur.thread !== null && st.cur.thread.isMainThread() ? 1 : null,
    { hidden: true },
  ),
  simple(
    'evt.count.threadinfo',
    'UINT32',
    PF.DEC,
    'This filter field returns 1 for procinfo events, and can be used to count processes from inside views.',
    (ev) => (ev.type === code('PPME_PROCINFO_E') ? 1 : null),
    { hidden: true },
  ),
  {
    name: 'evt.around',
    ptype: 'UINT64',
    pf: PF.DEC,
    cls: CLS,
    arg: 'required',
    filterOnly: true,
    noRhs: true,
    desc: "Accepts the event if it's around the specified time interval. The syntax is evt.around[T]=D, where T is the value returned by %evt.rawtime for the event and D is a delta in milliseconds. For example, evt.around[1404996934793590564]=1000 will return the events with timestamp with one second before the timestamp and one second after it, for a total of two seconds of capture.",
    make: (arg) => {
      const a = (arg as string).trim();
      if (!/^[0-9]+$/.test(a)) throw new FieldError(`${arg} is not a valid number`);
      const t = BigInt(a);
      // The value is |ts - T| in ms rounded up, so `evt.around[T] <= D`-style checks work; libs only
      // supports '=' with the meaning "within D ms": the compiler maps '=' D to value <= D.
      return {
        cmp: 'around',
        extract: (ev) => {
          const d = ev.tsBig() - t;
          const ad = d < 0n ? -d : d;
          return Number((ad + 999999n) / 1000000n);
        },
      };
    },
  },
  abspathSpec(),
  ...(['in', 'out', 'file', 'file.in', 'file.out', 'net', 'net.in', 'net.out'] as const).map((k) => {
    const cat = k.endsWith('in') ? 'IO_READ' : k.endsWith('out') ? 'IO_WRITE' : 'any';
    const fdk = k.startsWith('file') ? 'file' : k.startsWith('net') ? 'net' : 'any';
    return simple(
      `evt.buflen.${k}`,
      'UINT64',
      PF.DEC,
      `the length of the binary data buffer, but only for ${k} I/O events.`,
      (ev, st) => buflen(ev, st, cat, fdk),
      { hidden: true },
    );
  }),
  simple(
    'evt.is_open_read',
    'BOOL',
    PF.NA,
    "'true' for open/openat/openat2 events where the path was opened for reading",
    openCheck('read'),
  ),
  simple(
    'evt.is_open_write',
    'BOOL',
    PF.NA,
    "'true' for open/openat/openat2 events where the path was opened for writing",
    openCheck('write'),
  ),
  simple(
    'evt.is_open_exec',
    'BOOL',
    PF.NA,
    "'true' for open/openat/openat2 or creat events where a file is created with execute permissions",
    openCheck('exec'),
  ),
  simple(
    'evt.is_open_create',
    'BOOL',
    PF.NA,
    "'true' for open/openat/openat2 events where a file is created.",
    openCheck('create'),
  ),
  ...['name', 'container.id', 'container.name', 'container.image'].map((k) =>
    simple(
      `evt.infra.docker.${k}`,
      'CHARBUF',
      PF.NA,
      `for docker infrastructure events, the ${k} of the event.`,
      () => null,
      { hidden: true },
    ),
  ),
];
