/**
 * Right-hand literals → typed values, decided by the left-hand field's type
 * (libsinsp `sinsp_filter_value_parser::string_to_rawval` + `sinsp_numparser`).
 *
 * - signed ints: sscanf("%d")-like, decimal only, leading blanks and a sign allowed, no
 *   trailing garbage; the value is clamped like strtol and truncated to the field width.
 * - unsigned ints: the same with %u: a negative literal wraps (-1 → 2^32-1 on a UINT32).
 * - PORT: digits, or a service name (built-in /etc/services subset) — "unrecognized protocol".
 * - DOUBLE: parsed as a 32-bit integer (floats were never supported by libsinsp).
 * - BOOL: exactly "true" / "false".
 * - IPADDR / IPNET: a '.' selects IPv4, otherwise IPv6 (inet_pton rules); nets need '/len'.
 * - strings: as-is (byte strings), NUL bytes rejected; BYTEBUF: the bytes, or hex for
 *   bcontains/bstartswith.
 *
 * Numbers are JS numbers when exactly representable, bigints otherwise.
 */
import type { FieldType } from './field-api';

/** Thrown for a literal that does not fit the field type; the compiler positions it. */
export class ValueError extends Error {}

/** An IP network literal. */
export interface IpNet {
  /** 4 or 16 */
  readonly family: 4 | 6;
  /** network address bytes */
  readonly addr: Buffer;
  /** prefix length in bits */
  readonly prefix: number;
  /** IPv4 only: address and mask as uint32 */
  readonly v4addr: number;
  readonly v4mask: number;
}

export type Num = number | bigint;

/** Width/signedness of an integer ppm type, by its libsinsp name. */
interface IntKind {
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
}

const INT_KINDS: Record<string, IntKind> = {
  INT8: { bits: 8, signed: true },
  INT16: { bits: 16, signed: true },
  INT32: { bits: 32, signed: true },
  INT64: { bits: 64, signed: true },
  FD: { bits: 64, signed: true },
  ERRNO: { bits: 64, signed: true },
  PID: { bits: 64, signed: true },
  FD32: { bits: 32, signed: true },
  PID32: { bits: 32, signed: true },
  UINT8: { bits: 8, signed: false },
  FLAGS8: { bits: 8, signed: false },
  ENUMFLAGS8: { bits: 8, signed: false },
  L4PROTO: { bits: 8, signed: false },
  SIGTYPE: { bits: 8, signed: false },
  UINT16: { bits: 16, signed: false },
  FLAGS16: { bits: 16, signed: false },
  ENUMFLAGS16: { bits: 16, signed: false },
  SYSCALLID: { bits: 16, signed: false },
  UINT32: { bits: 32, signed: false },
  FLAGS32: { bits: 32, signed: false },
  ENUMFLAGS32: { bits: 32, signed: false },
  MODE: { bits: 32, signed: false },
  UID: { bits: 32, signed: false },
  GID: { bits: 32, signed: false },
  UINT64: { bits: 64, signed: false },
  RELTIME: { bits: 64, signed: false },
  ABSTIME: { bits: 64, signed: false },
};

/** Integer kind of a field: from its ptype when known, else from the reduced type. */
export function intKind(type: FieldType, ptype: string | undefined): IntKind {
  const k = ptype ? INT_KINDS[ptype.toUpperCase().replace(/^PT_/, '')] : undefined;
  if (k) return k;
  return type === 'int' ? { bits: 64, signed: true } : { bits: 64, signed: false };
}

const I64_MAX = (1n << 63n) - 1n;
const I64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;

/** Converts a bigint to a number when exact. */
export function normNum(v: bigint): Num {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** sscanf("%d"/"%u" + "%c") acceptance: [space]*[+-]?[0-9]+ and nothing else. */
function scanDecimal(str: string): { neg: boolean; mag: bigint } | null {
  let i = 0;
  while (i < str.length && isCSpace(str.charCodeAt(i))) i++;
  let neg = false;
  if (str[i] === '+' || str[i] === '-') {
    neg = str[i] === '-';
    i++;
  }
  const d0 = i;
  while (i < str.length && str.charCodeAt(i) >= 48 && str.charCodeAt(i) <= 57) i++;
  if (i === d0 || i !== str.length) return null;
  return { neg, mag: BigInt(str.slice(d0, i)) };
}

/** A decimal integer literal for an integer field (see file comment). */
export function parseInteger(str: string, kind: IntKind): Num {
  const s = scanDecimal(str);
  if (!s) throw new ValueError(`${str} is not a valid number`);
  let v: bigint;
  // %d/%u with a 32-bit target still go through strtol/strtoul (64-bit longs)
  if (kind.signed) {
    v = s.neg ? -s.mag : s.mag;
    if (v > I64_MAX) v = I64_MAX;
    if (v < I64_MIN) v = I64_MIN;
    v = BigInt.asIntN(kind.bits, v);
  } else {
    if (s.mag > U64_MAX) v = U64_MAX;
    else v = s.neg ? (U64_MAX + 1n - s.mag) & U64_MAX : s.mag;
    v = BigInt.asUintN(kind.bits, v);
  }
  return normNum(v);
}

/** A subset of /etc/services (getservbyname with any protocol). */
const SERVICES_TEXT =
  'tcpmux:1 echo:7 discard:9 systat:11 daytime:13 netstat:15 qotd:17 chargen:19 ftp-data:20 ftp:21 ssh:22 ' +
  'telnet:23 smtp:25 time:37 whois:43 tacacs:49 domain:53 bootps:67 bootpc:68 tftp:69 gopher:70 finger:79 ' +
  'http:80 www:80 kerberos:88 pop3:110 sunrpc:111 portmapper:111 auth:113 nntp:119 ntp:123 epmap:135 ' +
  'netbios-ns:137 netbios-dgm:138 netbios-ssn:139 imap2:143 imap:143 snmp:161 snmp-trap:162 xdmcp:177 ' +
  'bgp:179 ldap:389 https:443 microsoft-ds:445 kpasswd:464 submissions:465 isakmp:500 exec:512 biff:512 ' +
  'login:513 who:513 shell:514 syslog:514 printer:515 talk:517 ntalk:518 route:520 uucp:540 klogin:543 ' +
  'kshell:544 dhcpv6-client:546 dhcpv6-server:547 rtsp:554 nntps:563 submission:587 ipp:631 ldaps:636 ' +
  'domain-s:853 rsync:873 ftps-data:989 ftps:990 telnets:992 imaps:993 pop3s:995 socks:1080 openvpn:1194 ' +
  'ms-sql-s:1433 ms-sql-m:1434 radius:1812 radius-acct:1813 nfs:2049 svn:3690 mysql:3306 ms-wbt-server:3389 ' +
  'sip:5060 sip-tls:5061 xmpp-client:5222 xmpp-server:5269 mdns:5353 postgresql:5432 amqps:5671 amqp:5672 ' +
  'x11:6000 redis:6379 http-alt:8080 puppet:8140 zabbix-agent:10050 zabbix-trapper:10051';
const SERVICES = new Map<string, number>(
  SERVICES_TEXT.split(' ').map((kv) => {
    const [k, v] = kv.split(':');
    return [k, Number(v)] as [string, number];
  }),
);

/** PORT literal: digits (truncated to 16 bits) or a service name. */
export function parsePort(str: string): number {
  if (str.length === 0) return 0;
  if (/^[0-9]+$/.test(str)) {
    const n = Number(str);
    if (n > 2147483647) throw new ValueError(`${str} is not a valid number`); // std::stoi out_of_range
    return n & 0xffff;
  }
  const p = SERVICES.get(str);
  if (p === undefined) throw new ValueError(`unrecognized protocol ${str}`);
  return p;
}

/** Strict inet_pton(AF_INET): four 0-255 decimal parts, no leading zeros. */
export function parseIPv4(s: string): Buffer | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const b = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    b[i] = n;
  }
  return b;
}

/** inet_pton(AF_INET6) */
export function parseIPv6(s: string): Buffer | null {
  if (s.length === 0) return null;
  const out = Buffer.alloc(16);
  let head: string[];
  let tail: string[];
  const dc = s.indexOf('::');
  if (dc >= 0) {
    if (s.indexOf('::', dc + 1) >= 0) return null;
    const a = s.slice(0, dc);
    const b = s.slice(dc + 2);
    head = a === '' ? [] : a.split(':');
    tail = b === '' ? [] : b.split(':');
  } else {
    head = s.split(':');
    tail = [];
  }
  const groups: number[] = [];
  const push = (list: string[], into: number[]): boolean => {
    for (let i = 0; i < list.length; i++) {
      const g = list[i];
      if (i === list.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return false;
        into.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      into.push(parseInt(g, 16));
    }
    return true;
  };
  const tailGroups: number[] = [];
  // an embedded IPv4 may only end the address
  if (tail.length > 0 ? head.some((g) => g.includes('.')) : head.slice(0, -1).some((g) => g.includes('.'))) return null;
  if (!push(head, groups) || !push(tail, tailGroups)) return null;
  const total = groups.length + tailGroups.length;
  if (dc >= 0 ? total > 7 : total !== 8) return null;
  const all = [...groups, ...new Array<number>(8 - total).fill(0), ...tailGroups];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(all[i], i * 2);
  return out;
}

/** IPADDR literal */
export function parseIpAddr(str: string): Buffer {
  if (str.includes('.')) {
    const b = parseIPv4(str);
    if (!b) throw new ValueError(`unrecognized IPv4 address ${str}`);
    return b;
  }
  const b = parseIPv6(str);
  if (!b) throw new ValueError(`unrecognized IPv6 address ${str}`);
  return b;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** IPNET literal: a.b.c.d/len or an IPv6 CIDR. */
export function parseIpNet(str: string): IpNet {
  const slash = str.indexOf('/');
  if (str.includes('.')) {
    if (slash < 0) throw new ValueError(`unrecognized IP network ${str}`);
    const addr = parseIPv4(str.slice(0, slash));
    if (!addr) throw new ValueError(`unrecognized IP address ${str}`);
    const maskStr = str.slice(slash + 1);
    const prefix = Number(parseInteger(maskStr, { bits: 8, signed: false }));
    if (prefix > 32) throw new ValueError(`invalid netmask ${maskStr}`);
    const v4mask = maskOf(prefix);
    return { family: 4, addr, prefix, v4addr: addr.readUInt32BE(0), v4mask };
  }
  if (slash < 0) throw new ValueError(`invalid v6 netmask: ${str}`);
  const addr = parseIPv6(str.slice(0, slash));
  if (!addr) throw new ValueError(`unrecognized IPv6 address ${str}`);
  const maskStr = str.slice(slash + 1);
  const prefix = Number(parseInteger(maskStr, { bits: 8, signed: false }));
  if (prefix === 0 || prefix > 128) throw new ValueError(`invalid v6 netmask ${maskStr}`);
  return { family: 6, addr, prefix, v4addr: 0, v4mask: 0 };
}

/** True if the 4- or 16-byte address is inside the network (family mismatch → false). */
export function inNet(a: Buffer, n: IpNet): boolean {
  if (n.family === 4) {
    if (a.length !== 4) return false;
    return (a.readUInt32BE(0) & n.v4mask) >>> 0 === (n.v4addr & n.v4mask) >>> 0;
  }
  if (a.length !== 16) return false;
  const full = n.prefix >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== n.addr[i]) return false;
  const rem = n.prefix & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (a[full] & m) === (n.addr[full] & m);
}

/** Hex text → bytes (sinsp_utils::unhex): even length, hex digits only. */
export function unhex(str: string): Buffer | null {
  if (str.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(str)) return null;
  return Buffer.from(str, 'hex');
}

/** Typed literal for one of the scalar field types. */
export type Literal = string | Num | boolean | Buffer | IpNet;

/**
 * Parses `str` (a byte string) for a field of `type`/`ptype`. `hex` selects the
 * bcontains/bstartswith hex form for BYTEBUF.
 */
export function parseLiteral(str: string, type: FieldType, ptype: string | undefined, hex = false): Literal {
  switch (type) {
    case 'string':
      if (str.includes('\0')) throw new ValueError('filter values cannot contain NUL bytes');
      return str;
    case 'bytebuf': {
      if (hex) {
        const b = unhex(str);
        if (!b) throw new ValueError('bcontains and bstartswith operator support hex strings only');
        return b;
      }
      return Buffer.from(str, 'latin1');
    }
    case 'int':
    case 'uint':
    case 'reltime':
    case 'abstime':
      return parseInteger(str, intKind(type, ptype));
    case 'port':
      return parsePort(str);
    case 'double':
      return Number(parseInteger(str, { bits: 32, signed: true }));
    case 'bool':
      if (str === 'true') return true;
      if (str === 'false') return false;
      throw new ValueError(`unrecognized boolean value ${str}`);
    case 'ipaddr':
      return parseIpAddr(str);
    case 'ipnet':
      return parseIpNet(str);
  }
}
