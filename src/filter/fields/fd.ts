/** fd.* fields (libsinsp sinsp_filter_check_fd). */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { ThreadInfo } from '../../state/threadinfo';
import { L4, type FdInfo } from '../../state/fdinfo';
import { FdType } from '../../scap/metadata';
import { FieldValue } from '../field-api';
import { concatenatePaths } from '../../util/paths';
import { FieldSpec, Extractor, EF, EVT_FLAGS, paramRenderer, peekFd, parseIntArg } from './common';
import { code } from '../../event/codes';
import { PF } from '../../event/types';
import { containerId } from '../../state/thread-container';

const CLS = 'fd';
const ROLE_CLIENT = 1 << 2,
  ROLE_SERVER = 1 << 3;
const AT_FDCWD = -100;

const OPEN_X = code('PPME_SYSCALL_OPEN_X'),
  CREAT_X = code('PPME_SYSCALL_CREAT_X');
const ACCEPT_XS = new Set([
  code('PPME_SOCKET_ACCEPT_X'),
  code('PPME_SOCKET_ACCEPT_5_X'),
  code('PPME_SOCKET_ACCEPT4_X'),
  code('PPME_SOCKET_ACCEPT4_5_X'),
  code('PPME_SOCKET_ACCEPT4_6_X'),
]);
const CONNECT_X = code('PPME_SOCKET_CONNECT_X');
const OPENAT_X = code('PPME_SYSCALL_OPENAT_X');
const OPENAT_2_X = code('PPME_SYSCALL_OPENAT_2_X'),
  OPENAT2_X = code('PPME_SYSCALL_OPENAT2_X');
const OPEN_ENTERS = new Set(
  [
    'PPME_SYSCALL_OPEN_E',
    'PPME_SYSCALL_OPENAT_E',
    'PPME_SYSCALL_OPENAT_2_E',
    'PPME_SYSCALL_OPENAT2_E',
    'PPME_SYSCALL_CREAT_E',
  ].map(code),
);
const TYPECHAR_BY_ENTER = new Map<number, string>();
for (const n of OPEN_ENTERS) TYPECHAR_BY_ENTER.set(n, 'f');
for (const n of [
  'PPME_SOCKET_SOCKET_E',
  'PPME_SOCKET_ACCEPT_E',
  'PPME_SOCKET_ACCEPT_5_E',
  'PPME_SOCKET_ACCEPT4_E',
  'PPME_SOCKET_ACCEPT4_5_E',
  'PPME_SOCKET_ACCEPT4_6_E',
])
  TYPECHAR_BY_ENTER.set(code(n), '4');
TYPECHAR_BY_ENTER.set(code('PPME_SYSCALL_PIPE_E'), 'p');
TYPECHAR_BY_ENTER.set(code('PPME_SYSCALL_EVENTFD_E'), 'e');
TYPECHAR_BY_ENTER.set(code('PPME_SYSCALL_SIGNALFD_E'), 's');
TYPECHAR_BY_ENTER.set(code('PPME_SYSCALL_TIMERFD_CREATE_E'), 't');
TYPECHAR_BY_ENTER.set(code('PPME_SYSCALL_INOTIFY_INIT_E'), 'i');
TYPECHAR_BY_ENTER.delete(-1);

// ---------------------------------------------------------------------------------------------
// fd resolution (extract_fd)

interface FdCtx {
  t: ThreadInfo;
  f: FdInfo | null;
}
/** ctx.t until the first extractFd (never read before): a thread that resolves nothing */
const NO_THREAD = new ThreadInfo({ getThread: () => null });
const ctx: FdCtx = { t: NO_THREAD, f: null };

/** Fills ctx for fd-related events; false when the event has no fd semantics or no thread. */
function extractFd(ev: EventView, st: State): boolean {
  if ((EVT_FLAGS[ev.type] & (EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD)) === 0) return false;
  const t = st.cur.thread;
  if (t === null) return false;
  ctx.t = t;
  let f = st.cur.fd;
  if (f === null && t.lastEventFd !== -1) f = peekFd(t, t.lastEventFd);
  ctx.f = f;
  return true;
}

function renderedParam(ev: EventView, st: State, i: number): string {
  if (i >= ev.paramCount) return '';
  const r = paramRenderer(st);
  r.render(ev, i);
  return r.resolved !== '' ? r.resolved : r.value;
}

function dirfdBase(t: ThreadInfo, name: string, dirfd: number): string {
  if (name.charCodeAt(0) === 0x2f) return '.';
  if (dirfd === AT_FDCWD) return t.getCwd();
  const f = peekFd(t, dirfd);
  return f === null ? '<UNKNOWN>' : f.name + '/';
}

/** extract_fdname_from_creator: the name a failed fd-creating event would have given. */
function nameFromCreator(ev: EventView, st: State, raw: boolean): string | null {
  const et = ev.type;
  if ((et & 1) === 0) return null;
  if (et === OPEN_X || et === CREAT_X || ACCEPT_XS.has(et) || et === CONNECT_X) {
    if (raw && (et === OPEN_X || et === CREAT_X)) return ev.paramCount > 1 ? ev.str(1) : '';
    return renderedParam(ev, st, 1);
  }
  if (et === OPENAT_X || et === OPENAT_2_X || et === OPENAT2_X) {
    let name: string, dirfd: number;
    if (et === OPENAT_X) {
      const e = st.retrieveEnterEvent(ev);
      if (e === null || e.paramCount < 2) return null;
      name = e.str(1);
      dirfd = e.i64(0);
    } else {
      if (ev.paramCount < 3) return null;
      name = ev.str(2);
      dirfd = ev.i64(1);
    }
    if (raw) return name;
    return concatenatePaths(dirfdBase(ctx.t, name, dirfd), name);
  }
  return '';
}

function isFile(f: FdInfo): boolean {
  return f.type === FdType.FILE || f.type === FdType.FILE_V2;
}

function dirOf(name: string, file: boolean): string {
  if (!file) return name;
  const pos = name.lastIndexOf('/');
  if (pos > 0) return pos < name.length - 1 ? name.slice(0, pos) : name;
  return '/';
}

function l4Name(p: L4): string {
  switch (p) {
    case L4.TCP:
      return 'tcp';
    case L4.UDP:
      return 'udp';
    case L4.ICMP:
      return 'icmp';
    case L4.RAW:
      return 'raw';
    default:
      return '<NA>';
  }
}

function roleNone(f: FdInfo): boolean {
  return (f.flags & (ROLE_CLIENT | ROLE_SERVER)) === 0;
}

// ---------------------------------------------------------------------------------------------
// addresses (values are 4- or 16-byte Buffers, copies)

function v4(ip: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(ip >>> 0, 0);
  return b;
}
function v6(b: Buffer): Buffer {
  return Buffer.from(b.subarray(0, 16));
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** is_ipv4addr_in_local_machine: the container's ip (when container metadata is known), else the host interfaces */
function ipv4Local(st: State, t: ThreadInfo, a: number): boolean {
  const cid = containerId(t);
  if (cid !== '') {
    const tab = st.containers;
    const m = tab.get(cid);
    if (m !== undefined) {
      if (m.ip !== undefined && m.ip !== 0) {
        if (a === bswap32(m.ip)) return true;
      } else {
        for (const c of tab.values()) if (bswap32(c.ip ?? 0) === a) return true;
      }
    }
  }
  for (const i of st.interfaces) {
    if ((i.type === 1 || i.type === 3) && i.addr.length >= 4 && i.addr.readUInt32LE(0) === a) return true;
  }
  return false;
}

/** is_ipv6addr_in_local_machine: same /64 as an interface; never for container threads */
function ipv6Local(st: State, t: ThreadInfo, a: Buffer): boolean {
  if (containerId(t) !== '') return false;
  for (const i of st.interfaces) {
    if ((i.type === 2 || i.type === 4) && i.addr.length >= 16 && i.addr.compare(a, 0, 8, 0, 8) === 0) return true;
  }
  return false;
}

function isLocal(st: State, t: ThreadInfo, f: FdInfo): boolean {
  return f.type === FdType.IPV4_SOCK ? ipv4Local(st, t, f.sip) : ipv6Local(st, t, f.sip6);
}

const sip = (f: FdInfo): Buffer | null =>
  f.type === FdType.IPV4_SOCK ? v4(f.sip) : f.type === FdType.IPV6_SOCK ? v6(f.sip6) : null;
const dip = (f: FdInfo): Buffer | null =>
  f.type === FdType.IPV4_SOCK ? v4(f.dip) : f.type === FdType.IPV6_SOCK ? v6(f.dip6) : null;
const serverIp = (f: FdInfo): Buffer | null => {
  if (roleNone(f)) return null;
  switch (f.type) {
    case FdType.IPV4_SOCK:
      return v4(f.dip);
    case FdType.IPV6_SOCK:
      return v6(f.dip6);
    case FdType.IPV4_SERVSOCK:
      return v4(f.sip);
    case FdType.IPV6_SERVSOCK:
      return v6(f.sip6);
    default:
      return null;
  }
};
const serverPort = (f: FdInfo): number | null => {
  switch (f.type) {
    case FdType.IPV4_SOCK:
    case FdType.IPV6_SOCK:
      return roleNone(f) ? null : f.dport;
    case FdType.IPV4_SERVSOCK:
    case FdType.IPV6_SERVSOCK:
      return f.sport;
    default:
      return null;
  }
};
const isTuple = (f: FdInfo) => f.type === FdType.IPV4_SOCK || f.type === FdType.IPV6_SOCK;

/** sanitize_string: libsinsp drops non-printable bytes from fd names when printing them */
function sanitize(v: FieldValue): string | null {
  if (typeof v !== 'string') return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return v.replace(/[^\x20-\x7e]/g, '');
  }
  return v;
}

/** adds the sanitizing format() to a name-like fd field */
function sanitized(s: FieldSpec): FieldSpec {
  return {
    ...s,
    make: (arg) => {
      const ex = s.make(arg);
      return { ...ex, format: (ev, st) => sanitize(ex.extract(ev, st)) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Field constructors

type FdFn = (f: FdInfo, ev: EventView, st: State, t: ThreadInfo) => FieldValue;

/** A field of the event's fd; null when the event has no fd. `nullFd` handles a missing fdinfo. */
function ff(
  name: string,
  ptype: string,
  pf: PF,
  desc: string,
  fn: FdFn,
  more: Partial<FieldSpec> = {},
  nullFd?: (ev: EventView, st: State, t: ThreadInfo) => FieldValue,
): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    ...more,
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f,
          t = ctx.t;
        if (f === null) return nullFd ? nullFd(ev, st, t) : null;
        return fn(f, ev, st, t);
      },
    }),
  };
}

function connectFailed(ev: EventView): boolean {
  return ev.type === CONNECT_X && ev.paramCount > 0 && ev.i64(0) < 0;
}

function fdName(ev: EventView, st: State, f: FdInfo | null): string | null {
  if (f === null || connectFailed(ev)) return nameFromCreator(ev, st, false);
  return f.name;
}

/** fd.ip / fd.port / fd.proto / fd.net: both endpoints, compared with "either side" rules */
function endpointsSpec(name: string, ptype: string, pf: PF, desc: string, kind: 'ip' | 'port' | 'net'): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    filterOnly: true,
    noRhs: true,
    make: (): Extractor => {
      const values = (ev: EventView, st: State): FieldValue[] | null => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f;
        if (f === null) return null;
        switch (f.type) {
          case FdType.IPV4_SOCK:
            return kind === 'port' ? [f.sport, f.dport] : [v4(f.sip), v4(f.dip)];
          case FdType.IPV6_SOCK:
            return kind === 'port' ? [f.sport, f.dport] : [v6(f.sip6), v6(f.dip6)];
          case FdType.IPV4_SERVSOCK:
            return kind === 'port' ? [f.sport] : [v4(f.sip)];
          case FdType.IPV6_SERVSOCK:
            return kind === 'port' ? [f.sport] : [v6(f.sip6)];
          default:
            return null;
        }
      };
      return {
        cmp: 'endpoints',
        values,
        extract: (ev, st) => {
          const v = values(ev, st);
          return v === null || v.length === 0 ? null : v[0];
        },
      };
    },
  };
}

/** fd.cnet/snet/lnet/rnet: single-side networks; the value is the address (compare with a CIDR). */
function netOf(name: string, desc: string, base: string): FieldSpec {
  const s = FD_FIELDS_BY_NAME.get(base) as FieldSpec;
  return { ...s, name, ptype: 'IPNET', desc, filterOnly: true, noRhs: true };
}

/** lip/rip/lport/rport: local/remote side by the interface list */
function localSide(f: FdInfo, st: State, t: ThreadInfo, local: boolean): 's' | 'd' | null {
  if (!isTuple(f) || roleNone(f)) return null;
  const sIsLocal = isLocal(st, t, f);
  return sIsLocal === local ? 's' : 'd';
}

function dnsName(): null {
  return null;
}

const FD_SPECS: FieldSpec[] = [
  {
    name: 'fd.num',
    ptype: 'INT64',
    pf: PF.ID,
    cls: CLS,
    desc: 'the unique number identifying the file descriptor.',
    make: () => ({ extract: (ev, st) => (extractFd(ev, st) ? ctx.t.lastEventFd : null) }),
  },
  ff(
    'fd.type',
    'CHARBUF',
    PF.DEC,
    "type of FD. Can be 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify' 'signalfd' or 'memfd'.",
    (f) => f.typeString(),
  ),
  ff(
    'fd.typechar',
    'CHARBUF',
    PF.DEC,
    "type of FD as a single character. Can be 'f' for file, 4 for IPv4 socket, 6 for IPv6 socket, 'u' for unix socket, p for pipe, 'e' for eventfd, 's' for signalfd, 'l' for eventpoll, 'i' for inotify, 'b' for bpf, 'u' for userfaultd, 'r' for io_uring, 'm' for memfd ,'o' for unknown.",
    (f) => f.typeChar(),
    {},
    (ev) => TYPECHAR_BY_ENTER.get(ev.type & ~1) ?? 'o',
  ),
  {
    name: 'fd.name',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'FD full name. If the fd is a file, this field contains the full path. If the FD is a socket, this field contain the connection tuple.',
    make: () => ({ extract: (ev, st) => (extractFd(ev, st) ? fdName(ev, st, ctx.f) : null) }),
  },
  {
    name: 'fd.directory',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'If the fd is a file, the directory that contains it.',
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f;
        if (f === null) {
          const n = nameFromCreator(ev, st, false);
          return n === null ? null : dirOf(n, true);
        }
        if (!(isFile(f) || f.type === FdType.DIRECTORY)) return null;
        return dirOf(f.name, isFile(f));
      },
    }),
  },
  {
    name: 'fd.filename',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'If the fd is a file, the filename without the path.',
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f;
        let n: string;
        if (f === null) {
          if (!OPEN_ENTERS.has(ev.type)) return null;
          const c = nameFromCreator(ev, st, false);
          if (c === null) return null;
          n = c;
          const pos = n.lastIndexOf('/');
          return pos >= 0 && pos < n.length - 1 ? n.slice(pos + 1) : n;
        }
        if (!isFile(f)) return null;
        n = f.name;
        const pos = n.lastIndexOf('/');
        if (pos < 0) return '/';
        return pos < n.length - 1 ? n.slice(pos + 1) : n;
      },
    }),
  },
  endpointsSpec('fd.ip', 'IPADDR', PF.NA, 'matches the ip address (client or server) of the fd.', 'ip'),
  ff('fd.cip', 'IPADDR', PF.NA, 'client IP address.', (f) => (roleNone(f) ? null : sip(f))),
  ff('fd.sip', 'IPADDR', PF.NA, 'server IP address.', (f) => serverIp(f)),
  ff('fd.lip', 'IPADDR', PF.NA, 'local IP address.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, true);
    return s === null ? null : s === 's' ? sip(f) : dip(f);
  }),
  ff('fd.rip', 'IPADDR', PF.NA, 'remote IP address.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, false);
    return s === null ? null : s === 's' ? sip(f) : dip(f);
  }),
  endpointsSpec('fd.port', 'PORT', PF.DEC, 'matches the port (either client or server) of the fd.', 'port'),
  // e5c53d64 falls through to fd.cproto for non-tuple fds with a role: "" (rendered as port 0)
  ff('fd.cport', 'PORT', PF.DEC, 'for TCP/UDP FDs, the client port.', (f) =>
    roleNone(f) ? null : isTuple(f) ? f.sport : 0,
  ),
  ff('fd.sport', 'PORT', PF.DEC, 'for TCP/UDP FDs, server port.', (f) => serverPort(f)),
  ff('fd.lport', 'PORT', PF.DEC, 'for TCP/UDP FDs, the local port.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, true);
    return s === null ? null : s === 's' ? f.sport : f.dport;
  }),
  ff('fd.rport', 'PORT', PF.DEC, 'for TCP/UDP FDs, the remote port.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, false);
    return s === null ? null : s === 's' ? f.sport : f.dport;
  }),
  ff('fd.l4proto', 'CHARBUF', PF.NA, "the IP protocol of a socket. Can be 'tcp', 'udp', 'icmp' or 'raw'.", (f) =>
    l4Name(f.getL4Proto()),
  ),
  ff('fd.sockfamily', 'CHARBUF', PF.NA, "the socket family for socket events. Can be 'ip' or 'unix'.", (f) => {
    if (
      f.type === FdType.IPV4_SOCK ||
      f.type === FdType.IPV6_SOCK ||
      f.type === FdType.IPV4_SERVSOCK ||
      f.type === FdType.IPV6_SERVSOCK
    )
      return 'ip';
    if (f.type === FdType.UNIX_SOCK) return 'unix';
    return null;
  }),
  ff(
    'fd.is_server',
    'BOOL',
    PF.NA,
    "'true' if the process owning this FD is the server endpoint in the connection.",
    (f, _ev, st, t) => {
      if (f.type === FdType.IPV4_SERVSOCK || f.type === FdType.IPV6_SERVSOCK) return true;
      if (f.type === FdType.IPV4_SOCK) return ipv4Local(st, t, f.dip);
      if (f.type === FdType.IPV6_SOCK) return ipv6Local(st, t, f.dip6);
      return false;
    },
  ),
  {
    name: 'fd.uid',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'a unique identifier for the FD, created by chaining the FD number and the thread ID.',
    make: () => ({ extract: (ev, st) => (extractFd(ev, st) ? String(ctx.t.tid) + String(ctx.t.lastEventFd) : null) }),
  },
  {
    name: 'fd.containername',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'chaining of the container ID and the FD name. Useful when trying to identify which container an FD belongs to.',
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const n = fdName(ev, st, ctx.f);
        return n === null ? null : containerId(ctx.t) + ':' + n;
      },
    }),
  },
  {
    name: 'fd.containerdirectory',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'chaining of the container ID and the directory name. Useful when trying to identify which container a directory belongs to.',
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f;
        let d: string;
        if (f === null) {
          const n = nameFromCreator(ev, st, false);
          if (n === null) return null;
          d = dirOf(n, true);
        } else {
          if (!(isFile(f) || f.type === FdType.DIRECTORY)) return null;
          d = dirOf(f.name, isFile(f));
        }
        return containerId(ctx.t) + ':' + d;
      },
    }),
  },
  endpointsSpec('fd.proto', 'PORT', PF.NA, 'matches the protocol (either client or server) of the fd.', 'port'),
  ff('fd.cproto', 'CHARBUF', PF.NA, 'for TCP/UDP FDs, the client protocol.', (f) =>
    roleNone(f) ? null : isTuple(f) ? String(f.sport) : '',
  ),
  ff('fd.sproto', 'CHARBUF', PF.NA, 'for TCP/UDP FDs, server protocol.', (f) => {
    const p = serverPort(f);
    if (p === null) return null;
    return isTuple(f) ? String(p) : '';
  }),
  ff('fd.lproto', 'CHARBUF', PF.NA, 'for TCP/UDP FDs, the local protocol.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, true);
    return s === null ? null : String(s === 's' ? f.sport : f.dport);
  }),
  ff('fd.rproto', 'CHARBUF', PF.NA, 'for TCP/UDP FDs, the remote protocol.', (f, _ev, st, t) => {
    const s = localSide(f, st, t, false);
    return s === null ? null : String(s === 's' ? f.sport : f.dport);
  }),
  endpointsSpec('fd.net', 'IPNET', PF.NA, 'matches the IP network (client or server) of the fd.', 'net'),
  ff('fd.connected', 'BOOL', PF.NA, "for TCP/UDP FDs, 'true' if the socket is connected.", (f) =>
    f.isSocketConnected(),
  ),
  ff(
    'fd.name_changed',
    'BOOL',
    PF.NA,
    'True when an event changes the name of an fd used by this event. This can occur in some cases such as udp connections where the connection tuple changes.',
    (_f, _ev, st) => st.cur.fdNameChanged,
  ),
  ff('fd.cip.name', 'CHARBUF', PF.NA, 'Domain name associated with the client IP address.', dnsName, { noRhs: true }),
  ff('fd.sip.name', 'CHARBUF', PF.NA, 'Domain name associated with the server IP address.', dnsName, { noRhs: true }),
  ff('fd.lip.name', 'CHARBUF', PF.NA, 'Domain name associated with the local IP address.', dnsName, { noRhs: true }),
  ff('fd.rip.name', 'CHARBUF', PF.NA, 'Domain name associated with the remote IP address.', dnsName, { noRhs: true }),
  ff('fd.dev', 'INT32', PF.HEX, 'device number (major/minor) containing the referenced file', (f) => f.dev | 0),
  ff(
    'fd.dev.major',
    'INT32',
    PF.DEC,
    'major device number containing the referenced file',
    (f) => (f.dev & 0xfff00) >>> 8,
  ),
  ff(
    'fd.dev.minor',
    'INT32',
    PF.DEC,
    'minor device number containing the referenced file',
    (f) => (f.dev & 0xff) | ((f.dev >>> 12) & 0xfff00),
  ),
  ff('fd.ino', 'INT64', PF.DEC, 'inode number of the referenced file', (f) => f.ino),
  {
    name: 'fd.nameraw',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: 'FD full name raw. Just like fd.name, but only used if fd is a file path. File path is kept raw with limited sanitization and without deriving the absolute path.',
    make: () => ({
      extract: (ev, st) => {
        if (!extractFd(ev, st)) return null;
        const f = ctx.f;
        // libsinsp's m_name_raw (the name as the syscall gave it) is not tracked here: the name
        const s = f === null ? nameFromCreator(ev, st, true) : f.name;
        return s === null ? null : s.replace(/\/{2,}/g, '/');
      },
    }),
  },
  {
    name: 'fd.types',
    ptype: 'CHARBUF',
    pf: PF.DEC,
    cls: CLS,
    arg: 'allowed',
    isList: true,
    noRhs: true,
    desc: 'List of FD types in used. Can be passed an fd number e.g. fd.types[0] to get the type of stdout as a single item list.',
    make: (arg) => {
      const n = arg === null ? -1 : parseIntArg('fd.types', arg);
      return {
        extract: (ev, st) => {
          if (n >= 0) {
            const t = st.cur.thread;
            if (t === null) return null;
            const f = peekFd(t, n);
            return f === null ? null : [f.typeString()];
          }
          if (!extractFd(ev, st)) return null;
          const tab = ctx.t.getFdTable();
          if (tab === null) return null;
          const seen: string[] = [];
          for (const f of tab.values()) {
            const s = f.typeString();
            if (!seen.includes(s)) seen.push(s);
          }
          return seen;
        },
      };
    },
  },
  ff(
    'fd.is_upper_layer',
    'BOOL',
    PF.NA,
    "'true' if the fd is of a file in the upper layer of an overlayfs.",
    // the overlay flags of newer drivers' open exits are not tracked here (e5c53d64 has none)
    () => false,
  ),
  ff(
    'fd.is_lower_layer',
    'BOOL',
    PF.NA,
    "'true' if the fd is of a file in the lower layer of an overlayfs.",
    () => false,
  ),
];

const SANITIZED = new Set(['fd.name', 'fd.directory', 'fd.filename', 'fd.containername', 'fd.containerdirectory']);
for (let i = 0; i < FD_SPECS.length; i++) if (SANITIZED.has(FD_SPECS[i].name)) FD_SPECS[i] = sanitized(FD_SPECS[i]);

const FD_FIELDS_BY_NAME = new Map<string, FieldSpec>(FD_SPECS.map((s) => [s.name, s]));

export const FD_FIELDS: FieldSpec[] = [
  ...FD_SPECS,
  netOf('fd.cnet', 'matches the client IP network of the fd.', 'fd.cip'),
  netOf('fd.snet', 'matches the server IP network of the fd.', 'fd.sip'),
  netOf('fd.lnet', 'matches the local IP network of the fd.', 'fd.lip'),
  netOf('fd.rnet', 'matches the remote IP network of the fd.', 'fd.rip'),
];

export { fdName, extractFd, ctx as fdCtx };
