/**
 * Parsers for the metadata blocks of a scap section (MI, PL v1..v9, FDL v1/v2, IL v1/v2,
 * UL v1/v2). Each takes a bounds-checked cursor over the block body (padding included) and
 * returns plain entries; layouts are in ../shared/docs/scap-format.md §5–9.
 */
import { Cursor } from './cursor';
import { TraceFormatError } from '../util/errors';
import {
  FdEntry,
  FdType,
  GroupEntry,
  InterfaceEntry,
  MachineInfo,
  ProcEntry,
  UserEntry,
  emptyFd,
  emptyProc,
} from './metadata';

const MAX_PATH = 1024;
const MAX_ARGS = 4096;
const MAX_CRED = 256;

export function parseMachineInfo(c: Cursor): MachineInfo {
  if (c.remaining() < 180)
    throw new TraceFormatError(`corrupt machine info block: body is ${c.remaining()} bytes, expected 180`, c.at());
  const numCpus = c.u32();
  const memorySizeBytes = c.u64();
  const maxPid = c.u64();
  const h = c.bytes(128);
  const z = h.indexOf(0);
  const hostname = h.toString('latin1', 0, z < 0 ? 128 : z);
  const reserved = Buffer.from(c.bytes(32));
  return { numCpus, memorySizeBytes, maxPid, hostname, reserved };
}

function splitNul(s: string): string[] {
  if (s.length === 0) return [];
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Process list, any version; returns the entries in file order. */
export function parseProcList(c: Cursor, version: number): ProcEntry[] {
  const out: ProcEntry[] = [];
  while (c.remaining() >= 4) {
    const entryStart = c.pos;
    let entryLen = 0;
    if (version === 9) {
      entryLen = c.u32();
      if (entryLen < 4 + 24 || entryStart + entryLen > c.end) {
        throw new TraceFormatError(
          `corrupt process list: entry length ${entryLen} does not fit the block`,
          c.base + entryStart,
        );
      }
    } else if (c.remaining() < 24) {
      break; // padding
    }
    const saveEnd = c.end;
    if (entryLen) c.end = entryStart + entryLen;
    const p = emptyProc(0);
    p.sid = -1;
    p.vpgid = -1;
    p.tid = c.i64();
    p.pid = c.i64();
    p.ptid = c.i64();
    if (version >= 6) p.sid = c.i64();
    if (version >= 8) p.vpgid = c.i64();
    p.comm = c.str16(MAX_PATH, 'comm');
    p.exe = c.str16(MAX_PATH, 'exe');
    if (version >= 7) p.exepath = c.str16(MAX_PATH, 'exepath');
    p.args = splitNul(c.str16(MAX_ARGS, 'args'));
    p.cwd = c.str16(MAX_PATH, 'cwd');
    p.fdlimit = c.i64();
    p.flags = c.u32();
    p.uid = c.u32();
    p.gid = c.u32();
    if (version >= 2) {
      p.vmsizeKb = c.u32();
      p.vmrssKb = c.u32();
      p.vmswapKb = c.u32();
      p.pfMajor = c.u64();
      p.pfMinor = c.u64();
    }
    if (version >= 3) p.env = splitNul(c.str16(MAX_ARGS, 'env'));
    if (version >= 4) {
      p.vtid = c.i64();
      p.vpid = c.i64();
      p.cgroups = splitNul(c.str16(MAX_ARGS, 'cgroups'));
    }
    if (version >= 5) p.root = c.str16(MAX_PATH, 'root');
    if (entryLen) {
      // Appended fields: libs < 0.10 wrote loginuid+exe_writable; later ones insert
      // pidns_init_start_ts and tty first. Same heuristic as libs HEAD: <= 29 bytes left = old.
      const left = c.remaining();
      if (left > 0 && left <= 29) {
        if (left >= 4) p.loginuid = c.u32();
        if (c.remaining() >= 1) p.exeWritable = c.u8() !== 0;
      } else if (left > 29) {
        p.pidnsInitStartTs = c.u64();
        p.tty = c.u32();
        p.loginuid = c.u32();
        p.exeWritable = c.u8() !== 0;
        if (c.remaining() >= 24) {
          p.capInheritable = c.buf.readBigUInt64LE(c.pos);
          c.pos += 8;
          p.capPermitted = c.buf.readBigUInt64LE(c.pos);
          c.pos += 8;
          p.capEffective = c.buf.readBigUInt64LE(c.pos);
          c.pos += 8;
        }
        if (c.remaining() >= 25) {
          p.exeUpperLayer = c.u8() !== 0;
          c.skip(24); // exe_ino, exe_ino_ctime, exe_ino_mtime
        }
        if (c.remaining() >= 1) p.exeFromMemfd = c.u8() !== 0;
      }
      c.pos = entryStart + entryLen;
      c.end = saveEnd;
    }
    out.push(p);
  }
  return out;
}

/** Reads one fd entry's type-specific part. */
function readFdBody(c: Cursor, f: FdEntry, entryEnd: number, v2: boolean): void {
  switch (f.type) {
    case FdType.IPV4_SOCK:
      f.sip = c.u32();
      f.dip = c.u32();
      f.sport = c.u16();
      f.dport = c.u16();
      f.l4proto = c.u8();
      break;
    case FdType.IPV4_SERVSOCK:
      f.sip = c.u32();
      f.sport = c.u16();
      f.l4proto = c.u8();
      break;
    case FdType.IPV6_SOCK:
      f.sip6 = Buffer.from(c.bytes(16));
      f.dip6 = Buffer.from(c.bytes(16));
      f.sport = c.u16();
      f.dport = c.u16();
      f.l4proto = c.u8();
      break;
    case FdType.IPV6_SERVSOCK:
      f.sip6 = Buffer.from(c.bytes(16));
      f.sport = c.u16();
      f.l4proto = c.u8();
      break;
    case FdType.UNIX_SOCK:
      f.unixSource = c.buf.readBigUInt64LE((c.need(8), c.pos));
      c.pos += 8;
      f.unixDest = c.buf.readBigUInt64LE((c.need(8), c.pos));
      c.pos += 8;
      f.name = c.str16(MAX_PATH, 'unix socket name');
      break;
    case FdType.FILE_V2:
      f.openFlags = c.u32();
      f.name = c.str16(MAX_PATH, 'fd name');
      if (v2 && entryEnd - c.pos >= 4) f.dev = c.u32(); // dev only where the v2 entry length leaves room
      break;
    case FdType.FILE:
    case FdType.DIRECTORY:
    case FdType.FIFO:
    case FdType.EVENT:
    case FdType.UNSUPPORTED:
    case FdType.SIGNALFD:
    case FdType.EVENTPOLL:
    case FdType.INOTIFY:
    case FdType.TIMERFD:
    case FdType.NETLINK:
    case FdType.BPF:
    case FdType.USERFAULTFD:
    case FdType.IOURING:
    case FdType.MEMFD:
    case FdType.PIDFD:
      f.name = c.str16(MAX_PATH - 1, 'fd name');
      break;
    case FdType.UNINITIALIZED:
      break; // SCAP_FD_UNKNOWN: no payload; libsinsp does not add it
    default:
      throw new TraceFormatError(`corrupt fd list: unknown fd type ${f.type as number}`, c.at() - 1);
  }
}

export function parseFdList(c: Cursor, v2: boolean): { tid: number; fds: FdEntry[] } {
  const tid = c.i64();
  const fds: FdEntry[] = [];
  while (c.remaining() >= 4) {
    const entryStart = c.pos;
    let entryEnd = c.end;
    if (v2) {
      const len = c.u32();
      if (len < 4 + 17 || entryStart + len > c.end) {
        throw new TraceFormatError(`corrupt fd list: entry length ${len} does not fit the block`, c.base + entryStart);
      }
      entryEnd = entryStart + len;
    }
    const saveEnd = c.end;
    c.end = entryEnd;
    const fd = c.i64();
    const ino = c.u64();
    const type = c.u8();
    const f = emptyFd(fd, type);
    f.ino = ino;
    readFdBody(c, f, entryEnd, v2);
    if (v2) c.pos = entryEnd;
    c.end = saveEnd;
    fds.push(f);
  }
  return { tid, fds };
}

export function parseInterfaceList(c: Cursor, v2: boolean): InterfaceEntry[] {
  const out: InterfaceEntry[] = [];
  while (c.remaining() >= 4) {
    const entryStart = c.pos;
    let entryEnd: number;
    let type: number, namelen: number;
    if (v2) {
      const len = c.u32();
      entryEnd = entryStart + 4 + len;
      type = c.u16();
      namelen = c.u16();
    } else {
      type = c.u16();
      namelen = c.u16();
      const fixed = type === 1 ? 24 : type === 2 ? 60 : type === 3 ? 16 : type === 4 ? 52 : -1;
      if (fixed < 0)
        throw new TraceFormatError(`corrupt interface list: unknown interface type ${type}`, c.base + entryStart);
      entryEnd = entryStart + fixed + namelen;
    }
    if (entryEnd > c.end || namelen >= MAX_PATH) {
      throw new TraceFormatError('corrupt interface list: entry does not fit the block', c.base + entryStart);
    }
    const alen = type === 1 || type === 3 ? 4 : 16;
    if (type < 1 || type > 4)
      throw new TraceFormatError(`corrupt interface list: unknown interface type ${type}`, c.base + entryStart);
    const addr = Buffer.from(c.bytes(alen));
    const netmask = Buffer.from(c.bytes(alen));
    const bcast = Buffer.from(c.bytes(alen));
    const linkspeed = type <= 2 ? c.u64() : 0;
    const name = c.buf.toString('latin1', c.pos, c.pos + namelen);
    c.skip(namelen);
    c.pos = entryEnd;
    out.push({ type, name, addr, netmask, bcast, linkspeed });
  }
  return out;
}

export function parseUserList(c: Cursor, v2: boolean): { users: UserEntry[]; groups: GroupEntry[] } {
  const users: UserEntry[] = [];
  const groups: GroupEntry[] = [];
  while (c.remaining() >= 4) {
    const entryStart = c.pos;
    let entryEnd = -1;
    if (v2) {
      const len = c.u32();
      if (len < 5 || entryStart + len > c.end)
        throw new TraceFormatError(
          `corrupt user list: entry length ${len} does not fit the block`,
          c.base + entryStart,
        );
      entryEnd = entryStart + len;
    }
    const type = c.u8();
    if (type === 0) {
      const uid = c.u32(),
        gid = c.u32();
      const name = c.str16(MAX_CRED - 1, 'user name');
      const homedir = c.str16(MAX_CRED - 1, 'user homedir');
      const shell = c.str16(MAX_CRED - 1, 'user shell');
      users.push({ uid, gid, name, homedir, shell });
    } else if (type === 1) {
      const gid = c.u32();
      const name = c.str16(MAX_CRED - 1, 'group name');
      groups.push({ gid, name });
    } else {
      if (!v2) break; // v1 has no lengths: treat what follows as padding, as libscap would fail later
      throw new TraceFormatError(`corrupt user list: unknown entry type ${type}`, c.base + entryStart + 4);
    }
    if (entryEnd >= 0) c.pos = entryEnd;
  }
  return { users, groups };
}
