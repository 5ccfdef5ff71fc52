/**
 * Metadata carried by scap files (and produced by the live /proc snapshot): machine,
 * processes, fds, users, groups, interfaces. Strings are byte strings (latin1: one char per
 * byte) so names round-trip exactly, whatever their encoding.
 */

export interface MachineInfo {
  numCpus: number;
  memorySizeBytes: number;
  maxPid: number;
  hostname: string;
  /** reserved1..4 as read (HEAD: boot_ts_epoch, flags) kept verbatim for rewriting */
  reserved: Buffer;
}

export interface ProcEntry {
  tid: number;
  pid: number;
  ptid: number;
  sid: number;
  vpgid: number;
  comm: string;
  exe: string;
  exepath: string;
  /** argv[1..] */
  args: string[];
  cwd: string;
  fdlimit: number;
  flags: number;
  uid: number;
  gid: number;
  vmsizeKb: number;
  vmrssKb: number;
  vmswapKb: number;
  pfMajor: number;
  pfMinor: number;
  env: string[];
  vtid: number;
  vpid: number;
  /** "subsys=/path" entries */
  cgroups: string[];
  root: string;
  loginuid: number;
  exeWritable: boolean;
  /** Newer-libs tail fields; -1/false when absent. */
  tty: number;
  pidnsInitStartTs: number;
  capInheritable: bigint | null;
  capPermitted: bigint | null;
  capEffective: bigint | null;
  exeUpperLayer: boolean;
  exeFromMemfd: boolean;
}

/**
 * The ProcEntry fields a thread keeps under the same name and type: the process list and the
 * thread table copy them as they are, both ways (state.loadSection, capture/snapshot.ts).
 */
export const PROC_THREAD_FIELDS = [
  'pid',
  'ptid',
  'sid',
  'vpgid',
  'comm',
  'exe',
  'exepath',
  'exeWritable',
  'fdlimit',
  'uid',
  'gid',
  'vmsizeKb',
  'vmrssKb',
  'vmswapKb',
  'pfMajor',
  'pfMinor',
  'vtid',
  'vpid',
  'tty',
  'loginuid',
  'root',
  'capInheritable',
  'capPermitted',
  'capEffective',
  'exeUpperLayer',
  'exeFromMemfd',
] as const satisfies readonly (keyof ProcEntry)[];

/** Copies the named fields from src to dst (same names, same types). */
export function copyFields<T, K extends keyof T>(dst: T, src: Pick<T, K>, keys: readonly K[]): void {
  for (const k of keys) dst[k] = src[k];
}

/** scap_fd_type */
export const enum FdType {
  UNINITIALIZED = 0,
  FILE = 1,
  DIRECTORY = 2,
  IPV4_SOCK = 3,
  IPV6_SOCK = 4,
  IPV4_SERVSOCK = 5,
  IPV6_SERVSOCK = 6,
  FIFO = 7,
  UNIX_SOCK = 8,
  EVENT = 9,
  UNSUPPORTED = 10,
  SIGNALFD = 11,
  EVENTPOLL = 12,
  INOTIFY = 13,
  TIMERFD = 14,
  NETLINK = 15,
  FILE_V2 = 16,
  BPF = 17,
  USERFAULTFD = 18,
  IOURING = 19,
  MEMFD = 20,
  PIDFD = 21,
}

export interface FdEntry {
  fd: number;
  ino: number;
  type: FdType;
  name: string;
  openFlags: number;
  dev: number;
  /** IPv4 as u32 in network byte order read LE (as libscap keeps it); IPv6 as 16-byte Buffer */
  sip: number;
  dip: number;
  sip6: Buffer | null;
  dip6: Buffer | null;
  sport: number;
  dport: number;
  l4proto: number;
  /** unix socket kernel pointers, as hex-able numbers split hi/lo */
  unixSource: bigint;
  unixDest: bigint;
}

export interface UserEntry {
  uid: number;
  gid: number;
  name: string;
  homedir: string;
  shell: string;
}
export interface GroupEntry {
  gid: number;
  name: string;
}

export interface InterfaceEntry {
  /** 1 IPv4, 2 IPv6, 3 IPv4 no linkspeed, 4 IPv6 no linkspeed */
  type: number;
  name: string;
  addr: Buffer;
  netmask: Buffer;
  bcast: Buffer;
  linkspeed: number;
}

/** Everything known before the first event of a section. */
export interface SectionMetadata {
  major: number;
  minor: number;
  machine: MachineInfo | null;
  procs: ProcEntry[];
  /** fd lists by tid */
  fds: Map<number, FdEntry[]>;
  users: UserEntry[];
  groups: GroupEntry[];
  interfaces: InterfaceEntry[];
}

export function emptyProc(tid: number): ProcEntry {
  return {
    tid,
    pid: tid,
    ptid: -1,
    sid: 0,
    vpgid: 0,
    comm: '',
    exe: '',
    exepath: '',
    args: [],
    cwd: '',
    fdlimit: 0,
    flags: 0,
    uid: 0xffffffff,
    gid: 0xffffffff,
    vmsizeKb: 0,
    vmrssKb: 0,
    vmswapKb: 0,
    pfMajor: 0,
    pfMinor: 0,
    env: [],
    vtid: -1,
    vpid: -1,
    cgroups: [],
    root: '',
    loginuid: 0xffffffff,
    exeWritable: false,
    tty: 0,
    pidnsInitStartTs: 0,
    capInheritable: null,
    capPermitted: null,
    capEffective: null,
    exeUpperLayer: false,
    exeFromMemfd: false,
  };
}

export function emptyFd(fd: number, type: FdType): FdEntry {
  return {
    fd,
    ino: 0,
    type,
    name: '',
    openFlags: 0,
    dev: 0,
    sip: 0,
    dip: 0,
    sip6: null,
    dip6: null,
    sport: 0,
    dport: 0,
    l4proto: 0,
    unixSource: 0n,
    unixDest: 0n,
  };
}
