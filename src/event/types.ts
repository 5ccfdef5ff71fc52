/** Parameter type ids (PT_*), as stored in the libs event table. */
export const enum PT {
  NONE = 0,
  INT8 = 1,
  INT16 = 2,
  INT32 = 3,
  INT64 = 4,
  UINT8 = 5,
  UINT16 = 6,
  UINT32 = 7,
  UINT64 = 8,
  CHARBUF = 9,
  BYTEBUF = 10,
  ERRNO = 11,
  SOCKADDR = 12,
  SOCKTUPLE = 13,
  FD = 14,
  PID = 15,
  FDLIST = 16,
  FSPATH = 17,
  SYSCALLID = 18,
  SIGTYPE = 19,
  RELTIME = 20,
  ABSTIME = 21,
  PORT = 22,
  L4PROTO = 23,
  SOCKFAMILY = 24,
  BOOL = 25,
  IPV4ADDR = 26,
  DYN = 27,
  FLAGS8 = 28,
  FLAGS16 = 29,
  FLAGS32 = 30,
  UID = 31,
  GID = 32,
  DOUBLE = 33,
  SIGSET = 34,
  CHARBUFARRAY = 35,
  CHARBUF_PAIR_ARRAY = 36,
  IPV4NET = 37,
  IPV6ADDR = 38,
  IPV6NET = 39,
  IPADDR = 40,
  IPNET = 41,
  MODE = 42,
  FSRELPATH = 43,
  ENUMFLAGS8 = 44,
  ENUMFLAGS16 = 45,
  ENUMFLAGS32 = 46,
  FD32 = 47,
  PID32 = 48,
}

/** PT code → its name without PT_ (FieldInfo.ptype, `list events`), indexed by PT value. */
export const PT_NAMES: readonly string[] = [
  'NONE',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'CHARBUF',
  'BYTEBUF',
  'ERRNO',
  'SOCKADDR',
  'SOCKTUPLE',
  'FD',
  'PID',
  'FDLIST',
  'FSPATH',
  'SYSCALLID',
  'SIGTYPE',
  'RELTIME',
  'ABSTIME',
  'PORT',
  'L4PROTO',
  'SOCKFAMILY',
  'BOOL',
  'IPV4ADDR',
  'DYN',
  'FLAGS8',
  'FLAGS16',
  'FLAGS32',
  'UID',
  'GID',
  'DOUBLE',
  'SIGSET',
  'CHARBUFARRAY',
  'CHARBUF_PAIR_ARRAY',
  'IPV4NET',
  'IPV6ADDR',
  'IPV6NET',
  'IPADDR',
  'IPNET',
  'MODE',
  'FSRELPATH',
  'ENUMFLAGS8',
  'ENUMFLAGS16',
  'ENUMFLAGS32',
  'FD32',
  'PID32',
];

/**
 * Print formats (ppm_print_format, PF_*): how a parameter or a field's number is printed. The
 * one definition for the event table (ParamInfo.fmt), the field catalog and the formatters.
 */
export const enum PF {
  NA = 0,
  DEC = 1,
  HEX = 2,
  /** PF_10_PADDED_DEC: %09d */
  PADDED_DEC = 3,
  ID = 4,
  DIR = 5,
  OCT = 6,
}

export interface ParamInfo {
  readonly name: string;
  readonly type: PT;
  readonly fmt: PF;
  /** Flag table name (flags-table.json) or dynamic-param table name; null if none. */
  readonly info: string | null;
  /** For PT_FSRELPATH: index of the dirfd param of the same event, else -1. */
  readonly dirfd: number;
}

export interface EventInfo {
  readonly code: number;
  readonly name: string;
  readonly enumName: string;
  /** 0 enter, 1 exit */
  readonly dir: 0 | 1;
  readonly category: string;
  readonly flags: readonly string[];
  /** u32 parameter lengths instead of u16 */
  readonly large: boolean;
  readonly params: readonly ParamInfo[];
}
