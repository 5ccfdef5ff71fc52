/**
 * The initial state of a live capture, read from /proc (and /etc) as libscap's /proc scanner
 * does (scap_procs.c, scap_fds.c, scap_userlist.c, scap_iflist.c of libs e5c53d64):
 *
 *  - machine info: online CPUs, memory, pid_max, hostname;
 *  - every process and every thread (kernel threads skipped: no exe link and an empty
 *    cmdline), with comm, argv, exe path, cwd, root, env, ids, namespaced ids, vm sizes,
 *    page faults, fd limit, cgroups ("subsys=/path", v2 unified lines expanded to
 *    cpu,memory,cpuset as libscap does), loginuid, tty and capabilities;
 *  - one fd table per process (threads share it): files with PPM_O_* open flags and device
 *    from fdinfo + mountinfo, directories, pipes and fifos, IPv4/IPv6 sockets (client tuples
 *    and server sockets) and unix sockets resolved by inode through /proc/net/* of the
 *    process's network namespace, netlink sockets, and anon-inode fds (eventfd, signalfd,
 *    eventpoll, inotify, timerfd; the rest UNSUPPORTED, a type every reader accepts);
 *  - users and groups from /etc/passwd and /etc/group; interfaces from os.networkInterfaces().
 *
 * A process that exits mid-scan is simply left out (or kept with what was read before it
 * vanished), never an error. Strings are latin1 byte strings, like the rest of the metadata.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  FdEntry,
  FdType,
  GroupEntry,
  InterfaceEntry,
  MachineInfo,
  ProcEntry,
  SectionMetadata,
  UserEntry,
  emptyFd,
  emptyProc,
} from '../scap/metadata';

export interface ProcSnapshotOptions {
  /** where proc is mounted (default /proc) */
  procRoot?: string;
  /** where passwd and group live (default /etc) */
  etcRoot?: string;
  /** read environments (default true) */
  env?: boolean;
  /** read fd tables (default true) */
  fds?: boolean;
  /** filled with counts and timing when given */
  stats?: ProcSnapshotStats;
}

export interface ProcSnapshotStats {
  processes: number;
  threads: number;
  fds: number;
  /** processes that vanished or could not be read */
  skipped: number;
  ms: number;
}

/** PPM_CL_* flags written for /proc entries */
const PPM_CL_CLONE_FILES = 1 << 0;
const PPM_CL_CLONE_THREAD = 1 << 13;
const PPM_CL_IS_MAIN_THREAD = 1 << 30;

/** SCAP_L4_* */
const L4_TCP = 2;
const L4_UDP = 3;
const L4_RAW = 5;

const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFBLK = 0o060000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** Linux x86-64 open(2) flags (octal, as /proc/pid/fdinfo shows them) */
const O_ACCMODE = 0o3;
const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000;
const O_DSYNC = 0o10000;
const O_DIRECT = 0o40000;
const O_LARGEFILE = 0o100000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
const O_SYNC = 0o4010000;
const O_TMPFILE = 0o20200000;

/** open(2) flags → PPM_O_* (libscap's open_flags_to_scap). */
export function openFlagsToScap(flags: number): number {
  let r = 0;
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      r |= 1 << 1;
      break;
    case O_RDWR:
      r |= (1 << 0) | (1 << 1);
      break;
    default:
      r |= 1 << 0;
      break;
  }
  if (flags & O_CREAT) r |= 1 << 2;
  if ((flags & O_TMPFILE) === O_TMPFILE) r |= 1 << 13;
  if (flags & O_APPEND) r |= 1 << 3;
  if (flags & O_DSYNC) r |= 1 << 4;
  if (flags & O_EXCL) r |= 1 << 5;
  if (flags & O_NONBLOCK) r |= 1 << 6;
  if ((flags & O_SYNC) === O_SYNC) r |= 1 << 7;
  if (flags & O_TRUNC) r |= 1 << 8;
  if (flags & O_DIRECT) r |= 1 << 9;
  if (flags & O_DIRECTORY) r |= 1 << 10;
  if (flags & O_LARGEFILE) r |= 1 << 11;
  if (flags & O_CLOEXEC) r |= 1 << 12;
  return r >>> 0;
}

// ---------------------------------------------------------------------------------------------
// small, never-throwing readers

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Whole file as latin1, null if unreadable. One shared, growing buffer; reads until EOF (a
 * seq_file such as /proc/net/tcp returns short reads long before its end).
 */
function readText(p: string): string | null {
  let fd: number;
  try {
    fd = fs.openSync(p, 'r');
  } catch {
    return null;
  }
  try {
    let n = 0;
    for (;;) {
      if (n === scratch.length) {
        const b = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(b, 0, 0, n);
        scratch = b;
      }
      const k = fs.readSync(fd, scratch, n, scratch.length - n, null);
      if (k === 0) break;
      n += k;
    }
    return scratch.latin1Slice(0, n);
  } catch {
    return null;
  } finally {
    try {
      fs.closeSync(fd);
    } catch {
      /* ignore */
    }
  }
}

function readLink(p: string): string | null {
  try {
    return fs.readlinkSync(p, 'latin1');
  } catch {
    return null;
  }
}

function readDir(p: string): string[] | null {
  try {
    return fs.readdirSync(p);
  } catch {
    return null;
  }
}

function statMode(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** NUL-separated list without the empty tail. */
function splitNul(s: string): string[] {
  if (s.length === 0) return [];
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function lastNumber(v: string): number {
  const parts = v.trim().split(/\s+/);
  const n = Number(parts[parts.length - 1]);
  return Number.isFinite(n) ? n : NaN;
}

/** "socket:[123]" / "pipe:[123]" → 123, else -1 */
function bracketIno(link: string, prefix: string): number {
  if (!link.startsWith(prefix) || !link.endsWith(']')) return -1;
  const n = Number(link.slice(prefix.length, -1));
  return Number.isSafeInteger(n) ? n : -1;
}

/** glibc makedev() truncated to 32 bits, as libscap stores dev */
function makedev32(major: number, minor: number): number {
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// sockets by inode, per network namespace

interface SockInfo {
  type: number;
  sip: number;
  dip: number;
  sport: number;
  dport: number;
  l4proto: number;
  sip6: Buffer | null;
  dip6: Buffer | null;
  unixSource: bigint;
  name: string;
}

function sock(type: number): SockInfo {
  return { type, sip: 0, dip: 0, sport: 0, dport: 0, l4proto: 0, sip6: null, dip6: null, unixSource: 0n, name: '' };
}

function hexU32(s: string): number {
  return parseInt(s, 16) >>> 0;
}

/**
 * The rows of /proc/net/{tcp,udp,raw}[6]: local and remote address and port (hex, as printed)
 * and the socket's inode, for rows that have them all.
 */
function forEachInetRow(
  file: string,
  addrLen: number,
  row: (la: string, lp: number, ra: string, rp: number, ino: number) => void,
): void {
  const text = readText(file);
  if (text === null) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i].trim().split(/\s+/);
    if (t.length < 10) continue;
    const [la, lp] = t[1].split(':');
    const [ra, rp] = t[2].split(':');
    const ino = Number(t[9]);
    if (
      !Number.isSafeInteger(ino) ||
      la === undefined ||
      ra === undefined ||
      la.length !== addrLen ||
      ra.length !== addrLen
    )
      continue;
    row(la, parseInt(lp, 16) & 0xffff, ra, parseInt(rp, 16) & 0xffff, ino);
  }
}

function readInet4(file: string, l4: number, out: Map<number, SockInfo>): void {
  forEachInetRow(file, 8, (la, lp, ra, rp, ino) => {
    const dip = hexU32(ra);
    const s = sock(dip === 0 ? FdType.IPV4_SERVSOCK : FdType.IPV4_SOCK);
    // /proc prints the address as the host-order u32 of its network-order bytes: parsing the
    // hex gives the value "read LE" that scap keeps.
    s.sip = hexU32(la);
    s.sport = lp;
    s.dip = dip;
    s.dport = rp;
    s.l4proto = l4;
    out.set(ino, s);
  });
}

function hexIpv6(s: string): Buffer {
  const b = Buffer.alloc(16);
  for (let i = 0; i < 4; i++) b.writeUInt32LE(hexU32(s.slice(i * 8, i * 8 + 8)), i * 4);
  return b;
}

function readInet6(file: string, l4: number, out: Map<number, SockInfo>): void {
  forEachInetRow(file, 32, (la, lp, ra, rp, ino) => {
    const dip6 = hexIpv6(ra);
    const server = dip6.every((x) => x === 0);
    const s = sock(server ? FdType.IPV6_SERVSOCK : FdType.IPV6_SOCK);
    s.sip6 = hexIpv6(la);
    s.sport = lp;
    s.dip6 = server ? Buffer.alloc(16) : dip6;
    s.dport = rp;
    s.l4proto = l4;
    out.set(ino, s);
  });
}

function readUnix(file: string, out: Map<number, SockInfo>): void {
  const text = readText(file);
  if (text === null) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    // Num RefCount Protocol Flags Type St Inode [Path] (the path may contain spaces)
    const m = /^([0-9a-fA-F]+):?\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\d+)(?:\s(.*))?$/.exec(line);
    if (m === null) continue;
    const s = sock(FdType.UNIX_SOCK);
    try {
      s.unixSource = BigInt('0x' + m[1]);
    } catch {
      s.unixSource = 0n;
    }
    s.name = m[3] !== undefined ? m[3].trim() : '';
    out.set(Number(m[2]), s);
  }
}

function readNetlink(file: string, out: Map<number, SockInfo>): void {
  const text = readText(file);
  if (text === null) return;
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const t = lines[i].trim().split(/\s+/);
    if (t.length < 10) continue;
    const ino = Number(t[9]);
    if (!Number.isSafeInteger(ino)) continue;
    out.set(ino, sock(FdType.NETLINK));
  }
}

function readSockets(netDir: string): Map<number, SockInfo> {
  const out = new Map<number, SockInfo>();
  readInet4(path.join(netDir, 'tcp'), L4_TCP, out);
  readInet4(path.join(netDir, 'udp'), L4_UDP, out);
  readInet4(path.join(netDir, 'raw'), L4_RAW, out);
  readUnix(path.join(netDir, 'unix'), out);
  readNetlink(path.join(netDir, 'netlink'), out);
  readInet6(path.join(netDir, 'tcp6'), L4_TCP, out);
  readInet6(path.join(netDir, 'udp6'), L4_UDP, out);
  readInet6(path.join(netDir, 'raw6'), L4_RAW, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// the scanner

class Scanner {
  readonly procs: ProcEntry[] = [];
  readonly fds = new Map<number, FdEntry[]>();
  private readonly socketsByNs = new Map<string, Map<number, SockInfo>>();
  private readonly mountsByNs = new Map<string, Map<number, number>>();
  private readonly ownNetNs: string | null;
  private readonly cgroupVersion: number;
  fdCount = 0;
  threads = 0;
  skipped = 0;

  constructor(
    private readonly root: string,
    private readonly withEnv: boolean,
    private readonly withFds: boolean,
  ) {
    this.ownNetNs = readLink(path.join(root, 'self', 'ns', 'net'));
    const fsys = readText(path.join(root, 'filesystems')) ?? '';
    this.cgroupVersion = /\bcgroup2\b/.test(fsys) ? 2 : /\bcgroup\b/.test(fsys) ? 1 : 0;
  }

  scan(): void {
    const entries = readDir(this.root) ?? [];
    const pids: number[] = [];
    for (const e of entries) if (/^\d+$/.test(e)) pids.push(Number(e));
    pids.sort((a, b) => a - b);
    for (const pid of pids) {
      let main: ProcEntry | null;
      try {
        main = this.readThread(pid, pid, null);
      } catch {
        main = null;
      }
      if (main === null) {
        this.skipped++;
        continue;
      }
      this.procs.push(main);
      if (this.withFds) {
        try {
          const list = this.readFds(pid);
          if (list.length > 0) this.fds.set(pid, list);
        } catch {
          /* vanished: keep the process without fds */
        }
      }
      const tasks = readDir(path.join(this.root, String(pid), 'task'));
      if (tasks === null) continue;
      const tids = tasks
        .filter((t) => /^\d+$/.test(t))
        .map(Number)
        .filter((t) => t !== pid)
        .sort((a, b) => a - b);
      for (const tid of tids) {
        try {
          const t = this.readThread(pid, tid, main);
          if (t !== null) {
            this.procs.push(t);
            this.threads++;
          }
        } catch {
          /* vanished */
        }
      }
    }
  }

  /** One process (tid === pid, main === null) or one of its threads. null if it is gone or a kernel thread. */
  private readThread(pid: number, tid: number, main: ProcEntry | null): ProcEntry | null {
    const dir =
      main === null ? path.join(this.root, String(pid)) : path.join(this.root, String(pid), 'task', String(tid));
    const stat = readText(path.join(dir, 'stat'));
    const status = readText(path.join(dir, 'status'));
    if (stat === null || status === null) return null;
    const p = emptyProc(tid);

    if (main === null) {
      const exepath = readLink(path.join(dir, 'exe'));
      const cmdline = readText(path.join(dir, 'cmdline'));
      // no exe: a kernel thread (no cmdline: skipped) or something odd (kept), as libscap does
      if (exepath === null && (cmdline === null || cmdline.length === 0)) return null;
      p.exepath = exepath ?? '';
      const argv = splitNul(cmdline ?? '');
      p.exe = argv.length > 0 ? argv[0] : '';
      p.args = argv.slice(1);
      if (this.withEnv) p.env = splitNul(readText(path.join(dir, 'environ')) ?? '');
      p.cwd = readLink(path.join(dir, 'cwd')) ?? '';
      p.root = readLink(path.join(dir, 'root')) ?? '';
      p.cgroups = this.readCgroups(path.join(dir, 'cgroup'));
      p.fdlimit = readFdLimit(path.join(dir, 'limits'));
      const lu = readText(path.join(dir, 'loginuid'));
      p.loginuid = lu !== null && /^-?\d+/.test(lu.trim()) ? Number(lu.trim()) >>> 0 : 0xffffffff;
      p.exeFromMemfd = p.exepath.startsWith('/memfd:');
      p.flags = PPM_CL_IS_MAIN_THREAD;
    } else {
      p.exepath = main.exepath;
      p.exe = main.exe;
      p.args = main.args;
      p.env = main.env;
      p.cwd = main.cwd;
      p.root = main.root;
      p.cgroups = main.cgroups;
      p.fdlimit = main.fdlimit;
      p.loginuid = main.loginuid;
      p.exeFromMemfd = main.exeFromMemfd;
      p.exeWritable = main.exeWritable;
      p.flags = PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES;
    }

    // stat: "pid (comm) S ppid pgrp session tty_nr tpgid flags minflt cminflt majflt ..."
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < open) return null;
    p.comm = stat.slice(open + 1, close);
    const f = stat.slice(close + 2).split(' ');
    const pgid = Number(f[2]);
    p.sid = Number(f[3]) || 0;
    p.tty = Number(f[4]) || 0;
    p.pfMinor = Number(f[7]) || 0;
    p.pfMajor = Number(f[9]) || 0;

    p.pid = pid;
    p.vtid = tid;
    p.vpid = pid;
    let vpgid = 0;
    for (const line of status.split('\n')) {
      const c = line.indexOf(':');
      if (c < 0) continue;
      const key = line.slice(0, c);
      const v = line.slice(c + 1);
      switch (key) {
        case 'Tgid':
          p.pid = Number(v.trim()) || pid;
          break;
        case 'PPid':
          p.ptid = Number(v.trim());
          break;
        case 'Uid': {
          const u = v.trim().split(/\s+/);
          p.uid = Number(u[1] ?? u[0]) >>> 0;
          break;
        }
        case 'Gid': {
          const g = v.trim().split(/\s+/);
          p.gid = Number(g[1] ?? g[0]) >>> 0;
          break;
        }
        case 'VmSize':
          p.vmsizeKb = parseInt(v, 10) || 0;
          break;
        case 'VmRSS':
          p.vmrssKb = parseInt(v, 10) || 0;
          break;
        case 'VmSwap':
          p.vmswapKb = parseInt(v, 10) || 0;
          break;
        case 'NSpid': {
          const n = lastNumber(v);
          if (!Number.isNaN(n)) p.vtid = n;
          break;
        }
        case 'NStgid': {
          const n = lastNumber(v);
          if (!Number.isNaN(n)) p.vpid = n;
          break;
        }
        case 'NSpgid': {
          const n = lastNumber(v);
          if (!Number.isNaN(n)) vpgid = n;
          break;
        }
        case 'CapInh':
          p.capInheritable = hexBig(v);
          break;
        case 'CapPrm':
          p.capPermitted = hexBig(v);
          break;
        case 'CapEff':
          p.capEffective = hexBig(v);
          break;
        default:
          break;
      }
    }
    p.vpgid = vpgid !== 0 ? vpgid : Number.isFinite(pgid) ? pgid : 0;
    if (main === null) p.exeWritable = exeWritable(dir, p.exepath, p.uid, p.gid);
    return p;
  }

  private readCgroups(file: string): string[] {
    const text = readText(file);
    if (text === null) return [];
    const out: string[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      const a = line.indexOf(':');
      const b = a < 0 ? -1 : line.indexOf(':', a + 1);
      if (b < 0) continue;
      const id = line.slice(0, a);
      let subsys = line.slice(a + 1, b);
      const cgroup = line.slice(b + 1);
      if (subsys === '') {
        // cgroup v2 unified hierarchy: libscap names it with a default controller list
        if (this.cgroupVersion === 2 && id === '0') subsys = 'cpu,memory,cpuset';
        else continue;
      }
      for (const s of subsys.split(',')) if (s !== '') out.push(`${s}=${cgroup}`);
    }
    return out;
  }

  private socketsFor(pid: number): Map<number, SockInfo> {
    const dir = path.join(this.root, String(pid));
    const ns = readLink(path.join(dir, 'ns', 'net'));
    const own = ns === null || ns === this.ownNetNs;
    const key = own ? '' : ns;
    let m = this.socketsByNs.get(key);
    if (m === undefined) {
      m = readSockets(own ? path.join(this.root, 'net') : path.join(dir, 'net'));
      this.socketsByNs.set(key, m);
    }
    return m;
  }

  private mountsFor(pid: number): Map<number, number> {
    const dir = path.join(this.root, String(pid));
    const key = readLink(path.join(dir, 'ns', 'mnt')) ?? `pid:${pid}`;
    let m = this.mountsByNs.get(key);
    if (m === undefined) {
      m = new Map();
      const text = readText(path.join(dir, 'mountinfo')) ?? '';
      for (const line of text.split('\n')) {
        const r = /^(\d+) \d+ (\d+):(\d+) /.exec(line);
        if (r !== null) m.set(Number(r[1]), makedev32(Number(r[2]), Number(r[3])));
      }
      this.mountsByNs.set(key, m);
    }
    return m;
  }

  private readFds(pid: number): FdEntry[] {
    const dir = path.join(this.root, String(pid));
    const fdDir = path.join(dir, 'fd');
    const names = readDir(fdDir);
    if (names === null) return [];
    const nums = names
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
    const out: FdEntry[] = [];
    let sockets: Map<number, SockInfo> | null = null;
    for (const fd of nums) {
      const p = path.join(fdDir, String(fd));
      const link = readLink(p);
      if (link === null) continue;
      let e: FdEntry;
      if (link.startsWith('socket:[')) {
        const ino = bracketIno(link, 'socket:[');
        if (sockets === null) sockets = this.socketsFor(pid);
        const s = ino >= 0 ? sockets.get(ino) : undefined;
        if (s === undefined) continue; // not a socket kind libscap resolves: left out, as it does
        e = emptyFd(fd, s.type);
        e.ino = ino;
        e.sip = s.sip;
        e.dip = s.dip;
        e.sport = s.sport;
        e.dport = s.dport;
        e.l4proto = s.l4proto;
        e.sip6 = s.sip6;
        e.dip6 = s.dip6;
        e.unixSource = s.unixSource;
        e.name = s.name;
      } else if (link.startsWith('pipe:[')) {
        e = emptyFd(fd, FdType.FIFO);
        e.ino = bracketIno(link, 'pipe:[');
        e.name = link;
      } else if (link.startsWith('anon_inode:')) {
        e = emptyFd(fd, anonType(link));
        const st = statMode(p);
        if (st !== null) e.ino = st.ino;
        // libscap keeps no name for anon-inode fds
      } else {
        const st = statMode(p);
        if (st === null) continue;
        const fmt = st.mode & S_IFMT;
        if (fmt === S_IFDIR) {
          e = emptyFd(fd, FdType.DIRECTORY);
          e.name = link;
        } else if (fmt === S_IFIFO) {
          e = emptyFd(fd, FdType.FIFO);
          e.name = link;
        } else if (fmt === S_IFREG || fmt === S_IFCHR || fmt === S_IFBLK || fmt === S_IFLNK) {
          e = emptyFd(fd, FdType.FILE_V2);
          e.name = link;
          this.fileFlags(pid, fd, e);
        } else {
          e = emptyFd(fd, FdType.UNSUPPORTED);
        }
        e.ino = st.ino;
      }
      out.push(e);
      this.fdCount++;
    }
    return out;
  }

  private fileFlags(pid: number, fd: number, e: FdEntry): void {
    const text = readText(path.join(this.root, String(pid), 'fdinfo', String(fd)));
    if (text === null) return;
    let mnt = -1;
    for (const line of text.split('\n')) {
      if (line.startsWith('flags:')) e.openFlags = openFlagsToScap(parseInt(line.slice(6).trim(), 8) || 0);
      else if (line.startsWith('mnt_id:')) mnt = Number(line.slice(7).trim());
    }
    if (mnt >= 0) e.dev = this.mountsFor(pid).get(mnt) ?? 0;
  }
}

function anonType(link: string): number {
  switch (link) {
    case 'anon_inode:[eventfd]':
      return FdType.EVENT;
    case 'anon_inode:[signalfd]':
      return FdType.SIGNALFD;
    case 'anon_inode:[eventpoll]':
      return FdType.EVENTPOLL;
    case 'anon_inode:inotify':
      return FdType.INOTIFY;
    case 'anon_inode:[timerfd]':
      return FdType.TIMERFD;
    // bpf-map/prog, [userfaultfd], [io_uring], [pidfd], ...: types e5c53d64 does not know
    default:
      return FdType.UNSUPPORTED;
  }
}

function hexBig(v: string): bigint | null {
  const s = v.trim();
  if (!/^[0-9a-fA-F]+$/.test(s)) return null;
  return BigInt('0x' + s);
}

function readFdLimit(file: string): number {
  const text = readText(file);
  if (text === null) return -1;
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (m === null) return -1;
  if (m[1] === 'unlimited') return -1;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : -1;
}

/** libscap's check, approximated without switching credentials: owner, or write permission by mode bits. */
function exeWritable(dir: string, exepath: string, uid: number, gid: number): boolean {
  if (exepath === '' || !exepath.startsWith('/')) return false;
  const st = statMode(path.join(dir, 'root') + exepath);
  if (st === null) return false;
  if (st.uid === uid) return true;
  if (uid === 0) return true;
  if (st.gid === gid && (st.mode & 0o020) !== 0) return true;
  return (st.mode & 0o002) !== 0;
}

// ---------------------------------------------------------------------------------------------
// machine, users, interfaces

export function machineInfo(procRoot = '/proc'): MachineInfo {
  const pidMax = Number((readText(path.join(procRoot, 'sys', 'kernel', 'pid_max')) ?? '').trim());
  const reserved = Buffer.alloc(32);
  // reserved1 = boot_ts_epoch in newer libs (ignored by e5c53d64)
  const boot = BigInt(Math.round(Date.now() - os.uptime() * 1000)) * 1000000n;
  reserved.writeBigUInt64LE(boot, 0);
  return {
    numCpus: os.cpus().length || 1,
    memorySizeBytes: os.totalmem(),
    maxPid: Number.isFinite(pidMax) && pidMax > 0 ? pidMax : 32768,
    hostname: Buffer.from(os.hostname(), 'utf8').toString('latin1'),
    reserved,
  };
}

export function readUsers(etcRoot = '/etc'): { users: UserEntry[]; groups: GroupEntry[] } {
  const users: UserEntry[] = [];
  const groups: GroupEntry[] = [];
  const seenU = new Set<number>();
  for (const line of (readText(path.join(etcRoot, 'passwd')) ?? '').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid) || seenU.has(uid)) continue;
    seenU.add(uid);
    users.push({ uid: uid >>> 0, gid: gid >>> 0, name: f[0], homedir: f[5], shell: f[6] });
  }
  const seenG = new Set<number>();
  for (const line of (readText(path.join(etcRoot, 'group')) ?? '').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid) || seenG.has(gid)) continue;
    seenG.add(gid);
    groups.push({ gid: gid >>> 0, name: f[0] });
  }
  return { users, groups };
}

/** IPv6 text → 16 bytes (null if malformed). */
export function parseIpv6(text: string): Buffer | null {
  let s = text;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return null;
  if (s.indexOf('.', lastColon) >= 0) {
    // trailing dotted IPv4: rewrite it as two hex words
    const v4 = ipv4Bytes(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = s.slice(0, lastColon + 1) + v4.readUInt16BE(0).toString(16) + ':' + v4.readUInt16BE(2).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const words = (h: string) =>
    h === '' ? [] : h.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : NaN));
  const head = words(halves[0]);
  const rest = halves.length === 2 ? words(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const all = head.concat(new Array<number>(Math.max(fill, 0)).fill(0), rest);
  if (all.length !== 8 || all.some((x) => Number.isNaN(x))) return null;
  const b = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) b.writeUInt16BE(all[i], i * 2);
  return b;
}

function ipv4Bytes(text: string): Buffer | null {
  const p = text.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
  return Buffer.from(p);
}

export function readInterfaces(): InterfaceEntry[] {
  const v4: InterfaceEntry[] = [];
  const v6: InterfaceEntry[] = [];
  let all: NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  try {
    all = os.networkInterfaces();
  } catch {
    return [];
  }
  for (const [name, list] of Object.entries(all)) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4') {
        const addr = ipv4Bytes(a.address);
        const mask = ipv4Bytes(a.netmask);
        if (addr === null || mask === null) continue;
        // getifaddrs gives a broadcast address for broadcast-capable links; loopback has none
        const bcast = Buffer.alloc(4);
        if (!a.internal) for (let i = 0; i < 4; i++) bcast[i] = (addr[i] | (~mask[i] & 0xff)) & 0xff;
        v4.push({ type: 1, name, addr, netmask: mask, bcast, linkspeed: 0 });
      } else {
        const addr = parseIpv6(a.address);
        const mask = parseIpv6(a.netmask);
        if (addr === null || mask === null) continue;
        v6.push({ type: 2, name, addr, netmask: mask, bcast: Buffer.alloc(16), linkspeed: 0 });
      }
    }
  }
  return v4.concat(v6);
}

// ---------------------------------------------------------------------------------------------

/** The machine's state now, as the metadata of a scap section. */
export function snapshotProc(opts: ProcSnapshotOptions = {}): SectionMetadata {
  const t0 = process.hrtime.bigint();
  const root = opts.procRoot ?? '/proc';
  const scanner = new Scanner(root, opts.env !== false, opts.fds !== false);
  scanner.scan();
  const { users, groups } = readUsers(opts.etcRoot ?? '/etc');
  const meta: SectionMetadata = {
    major: 1,
    minor: 2,
    machine: machineInfo(root),
    procs: scanner.procs,
    fds: scanner.fds,
    users,
    groups,
    interfaces: readInterfaces(),
  };
  if (opts.stats) {
    opts.stats.processes = scanner.procs.length - scanner.threads;
    opts.stats.threads = scanner.threads;
    opts.stats.fds = scanner.fdCount;
    opts.stats.skipped = scanner.skipped;
    opts.stats.ms = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  return meta;
}
