/**
 * fdlist.*: the fds of a poll/ppoll event's `fds` argument (PT_FDLIST: u16 count, then per fd
 * an i64 number and an i16 flags word), looked up in the thread's fd table, as libsinsp's
 * sinsp_filter_check_fdlist renders them: comma-separated, entries without a value skipped
 * (names show `<NA>`), no value at all for an empty list. Enter and exit events both, as in
 * sysdig 0.29.3 (current libs read exit events only).
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import type { FdInfo } from '../../state/fdinfo';
import { SOCK } from '../../state/fdinfo';
import { FdType } from '../../scap/metadata';
import { ipv4ToString, ipv6ToString } from '../../util/net';
import { FieldSpec } from './common';
import { code } from '../../event/codes';
import { PF } from '../../event/types';

const CLS = 'fdlist';
const POLL_E = code('PPME_SYSCALL_POLL_E'),
  POLL_X = code('PPME_SYSCALL_POLL_X');
const PPOLL_E = code('PPME_SYSCALL_PPOLL_E'),
  PPOLL_X = code('PPME_SYSCALL_PPOLL_X');

/** One entry's text, or null when this field has none for the fd (no comma then). */
type Entry = (fd: number, f: FdInfo | null) => string | null;

function fdlistSpec(name: string, pf: PF, desc: string, entry: Entry): FieldSpec {
  return {
    name,
    ptype: 'CHARBUF',
    pf,
    desc,
    cls: CLS,
    make: () => ({ extract: (ev: EventView, st: State) => extractList(ev, st, entry) }),
  };
}

function extractList(ev: EventView, st: State, entry: Entry): string | null {
  const t = ev.type;
  const pi = t === POLL_E || t === PPOLL_E ? 0 : t === POLL_X || t === PPOLL_X ? 1 : -1;
  if (pi < 0 || !ev.has(pi)) return null;
  const th = st.cur.thread;
  if (th === null) return null;
  const b = ev.buf,
    off = ev.paramOffset(pi),
    len = ev.paramLen(pi);
  if (len < 2) return null;
  const n = b[off] | (b[off + 1] << 8);
  let out = '';
  for (let j = 0, p = off + 2; j < n && p + 10 <= off + len; j++, p += 10) {
    const fd =
      (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) * 4294967296 +
      ((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0);
    const v = entry(fd, th.getFd(fd));
    if (v !== null) out += v + ',';
  }
  return out === '' ? null : out.slice(0, -1);
}

const u32 = (f: FdInfo, o: number): number => f.sock.readUInt32LE(o);
/** A port of an IPv4/IPv6 connection tuple (at v4 or v6 in the socket info), else null. */
function tuplePort(f: FdInfo | null, v4: number, v6: number): string | null {
  if (f === null) return null;
  if (f.type === FdType.IPV4_SOCK) return String(f.sock.readUInt16LE(v4));
  if (f.type === FdType.IPV6_SOCK) return String(f.sock.readUInt16LE(v6));
  return null;
}

export const FDLIST_FIELDS: FieldSpec[] = [
  fdlistSpec(
    'fdlist.nums',
    PF.ID,
    "for poll events, this is a comma-separated list of the FD numbers in the 'fds' argument, returned as a string.",
    (fd) => String(fd),
  ),
  fdlistSpec(
    'fdlist.names',
    PF.NA,
    "for poll events, this is a comma-separated list of the FD names in the 'fds' argument, returned as a string.",
    (_fd, f) => (f !== null && f.name !== '' ? f.name : '<NA>'),
  ),
  fdlistSpec(
    'fdlist.cips',
    PF.NA,
    "for poll events, this is a comma-separated list of the client IP addresses in the 'fds' argument, returned as a string.",
    (_fd, f) => {
      if (f === null) return null;
      if (f.type === FdType.IPV4_SOCK) return ipv4ToString(u32(f, SOCK.V4_SIP));
      if (f.type === FdType.IPV6_SOCK) return ipv6ToString(f.sock, SOCK.V6_SIP);
      return null;
    },
  ),
  fdlistSpec(
    'fdlist.sips',
    PF.NA,
    "for poll events, this is a comma-separated list of the server IP addresses in the 'fds' argument, returned as a string.",
    (_fd, f) => {
      if (f === null) return null;
      switch (f.type) {
        case FdType.IPV4_SOCK:
          return ipv4ToString(u32(f, SOCK.V4_DIP));
        case FdType.IPV6_SOCK:
          return ipv6ToString(f.sock, SOCK.V6_DIP);
        case FdType.IPV4_SERVSOCK:
          return ipv4ToString(u32(f, SOCK.V4S_IP));
        // libsinsp formats an IPv6 server socket's address with AF_INET: its first 4 bytes
        case FdType.IPV6_SERVSOCK:
          return ipv4ToString(u32(f, SOCK.V6S_IP));
        default:
          return null;
      }
    },
  ),
  fdlistSpec(
    'fdlist.cports',
    PF.DEC,
    "for TCP/UDP FDs, for poll events, this is a comma-separated list of the client TCP/UDP ports in the 'fds' argument, returned as a string.",
    (_fd, f) => tuplePort(f, SOCK.V4_SPORT, SOCK.V6_SPORT),
  ),
  fdlistSpec(
    'fdlist.sports',
    PF.DEC,
    "for poll events, this is a comma-separated list of the server TCP/UDP ports in the 'fds' argument, returned as a string.",
    (_fd, f) => tuplePort(f, SOCK.V4_DPORT, SOCK.V6_DPORT),
  ),
];
