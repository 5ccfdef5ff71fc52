/** One open file descriptor, as libsinsp's sinsp_fdinfo tracks it. */
import { FdType } from '../scap/metadata';
import { copyBytes, smallZeroed } from '../util/bytes';

export const enum FdFlags {
  NONE = 0,
  FROM_PROC = 1 << 0,
  ROLE_CLIENT = 1 << 2,
  ROLE_SERVER = 1 << 3,
  CLOSE_IN_PROGRESS = 1 << 4,
  CLOSE_CANCELED = 1 << 5,
  IS_SOCKET_PIPE = 1 << 6,
  IS_TRACER_FILE = 1 << 7,
  IS_TRACER_FD = 1 << 8,
  IS_NOT_TRACER_FD = 1 << 9,
  SOCKET_CONNECTED = 1 << 13,
  IS_CLONED = 1 << 14,
  CONNECTION_PENDING = 1 << 15,
  CONNECTION_FAILED = 1 << 16,
}

/** scap_l4_proto */
export const enum L4 {
  UNKNOWN = 0,
  NA = 1,
  TCP = 2,
  UDP = 3,
  ICMP = 4,
  RAW = 5,
}

/** Offsets of the sinsp_sockinfo union views (see FdInfo.sock). */
/* eslint-disable @typescript-eslint/no-duplicate-enum-values -- the views overlap: offsets repeat */
export const enum SOCK {
  V4_SIP = 0,
  V4_DIP = 4,
  V4_SPORT = 8,
  V4_DPORT = 10,
  V4_L4 = 12,
  V6_SIP = 0,
  V6_DIP = 16,
  V6_SPORT = 32,
  V6_DPORT = 34,
  V6_L4 = 36,
  V4S_IP = 0,
  V4S_PORT = 4,
  V4S_L4 = 6,
  V6S_IP = 0,
  V6S_PORT = 16,
  V6S_L4 = 18,
  UNIX_SRC = 0,
  UNIX_DST = 8,
}
/* eslint-enable @typescript-eslint/no-duplicate-enum-values */

function sportOff(type: FdType): number {
  switch (type) {
    case FdType.IPV6_SOCK:
      return SOCK.V6_SPORT;
    case FdType.IPV4_SERVSOCK:
      return SOCK.V4S_PORT;
    case FdType.IPV6_SERVSOCK:
      return SOCK.V6S_PORT;
    default:
      return SOCK.V4_SPORT;
  }
}

function l4Off(type: FdType): number {
  switch (type) {
    case FdType.IPV6_SOCK:
      return SOCK.V6_L4;
    case FdType.IPV4_SERVSOCK:
      return SOCK.V4S_L4;
    case FdType.IPV6_SERVSOCK:
      return SOCK.V6S_L4;
    default:
      return SOCK.V4_L4;
  }
}

export class FdInfo {
  type: FdType = FdType.UNINITIALIZED;
  openFlags = 0;
  name = '';
  oldName = '';
  flags = 0;
  dev = 0;
  mountId = 0;
  ino = 0;
  /**
   * Socket info: libsinsp's sinsp_sockinfo union, byte for byte, because libsinsp reads one
   * view after writing another (bind turns a tuple into server info, connect on an AF_INET6
   * socket reads the IPv4 view...). Views (offsets in SOCK):
   *   IPv4 tuple: sip u32 @0, dip u32 @4, sport u16 @8, dport u16 @10, l4proto u8 @12
   *   IPv6 tuple: sip @0..16, dip @16..32, sport @32, dport @34, l4proto @36
   *   IPv4 server: ip u32 @0, port u16 @4, l4proto u8 @6
   *   IPv6 server: ip @0..16, port u16 @16, l4proto u8 @18
   *   unix: source u64 @0, dest u64 @8
   * The accessors below pick the view of the fd's current type. IPv4 addresses are u32 read
   * LE from network-order bytes (as libscap keeps them).
   */
  readonly sock: Buffer = smallZeroed(40);
  get sip(): number {
    return this.sock.readUInt32LE(SOCK.V4_SIP);
  }
  set sip(v: number) {
    this.sock.writeUInt32LE(v >>> 0, SOCK.V4_SIP);
  }
  get dip(): number {
    return this.sock.readUInt32LE(SOCK.V4_DIP);
  }
  set dip(v: number) {
    this.sock.writeUInt32LE(v >>> 0, SOCK.V4_DIP);
  }
  get sport(): number {
    return this.sock.readUInt16LE(sportOff(this.type));
  }
  set sport(v: number) {
    this.sock.writeUInt16LE(v & 0xffff, sportOff(this.type));
  }
  get dport(): number {
    return this.sock.readUInt16LE(this.type === FdType.IPV6_SOCK ? SOCK.V6_DPORT : SOCK.V4_DPORT);
  }
  set dport(v: number) {
    this.sock.writeUInt16LE(v & 0xffff, this.type === FdType.IPV6_SOCK ? SOCK.V6_DPORT : SOCK.V4_DPORT);
  }
  get l4proto(): L4 {
    return this.sock[l4Off(this.type)];
  }
  set l4proto(v: L4) {
    this.sock[l4Off(this.type)] = v;
  }
  /** IPv6 addresses: views into SOCK (assigning copies 16 bytes in) */
  get sip6(): Buffer {
    return this.sock.subarray(SOCK.V6_SIP, SOCK.V6_SIP + 16);
  }
  set sip6(v: Buffer) {
    this.sock.set(v.subarray(0, 16), SOCK.V6_SIP);
  }
  get dip6(): Buffer {
    return this.sock.subarray(SOCK.V6_DIP, SOCK.V6_DIP + 16);
  }
  set dip6(v: Buffer) {
    this.sock.set(v.subarray(0, 16), SOCK.V6_DIP);
  }
  get unixSource(): bigint {
    return this.sock.readBigUInt64LE(SOCK.UNIX_SRC);
  }
  set unixSource(v: bigint) {
    this.sock.writeBigUInt64LE(BigInt.asUintN(64, v), SOCK.UNIX_SRC);
  }
  get unixDest(): bigint {
    return this.sock.readBigUInt64LE(SOCK.UNIX_DST);
  }
  set unixDest(v: bigint) {
    this.sock.writeBigUInt64LE(BigInt.asUintN(64, v), SOCK.UNIX_DST);
  }

  clone(): FdInfo {
    const f = new FdInfo();
    f.copyFrom(this);
    return f;
  }
  copyFrom(o: FdInfo): void {
    this.type = o.type;
    this.openFlags = o.openFlags;
    this.name = o.name;
    this.oldName = o.oldName;
    this.flags = o.flags;
    this.dev = o.dev;
    this.mountId = o.mountId;
    this.ino = o.ino;
    copyBytes(o.sock, 0, 40, this.sock, 0);
  }

  isRoleServer(): boolean {
    return (this.flags & FdFlags.ROLE_SERVER) !== 0;
  }
  isRoleClient(): boolean {
    return (this.flags & FdFlags.ROLE_CLIENT) !== 0;
  }
  isRoleNone(): boolean {
    return (this.flags & (FdFlags.ROLE_CLIENT | FdFlags.ROLE_SERVER)) === 0;
  }
  setRoleServer(): void {
    this.flags |= FdFlags.ROLE_SERVER;
  }
  setRoleClient(): void {
    this.flags |= FdFlags.ROLE_CLIENT;
  }
  isSocketConnected(): boolean {
    return (this.flags & FdFlags.SOCKET_CONNECTED) !== 0;
  }
  setSocketConnected(): void {
    this.flags = (this.flags & ~(FdFlags.CONNECTION_PENDING | FdFlags.CONNECTION_FAILED)) | FdFlags.SOCKET_CONNECTED;
  }
  setSocketPending(): void {
    this.flags = (this.flags & ~(FdFlags.SOCKET_CONNECTED | FdFlags.CONNECTION_FAILED)) | FdFlags.CONNECTION_PENDING;
  }
  setSocketFailed(): void {
    this.flags = (this.flags & ~(FdFlags.SOCKET_CONNECTED | FdFlags.CONNECTION_PENDING)) | FdFlags.CONNECTION_FAILED;
  }

  isFile(): boolean {
    return this.type === FdType.FILE || this.type === FdType.FILE_V2;
  }
  isIpv4Socket(): boolean {
    return this.type === FdType.IPV4_SOCK;
  }
  isIpv6Socket(): boolean {
    return this.type === FdType.IPV6_SOCK;
  }
  isUnixSocket(): boolean {
    return this.type === FdType.UNIX_SOCK;
  }
  isUdpSocket(): boolean {
    return this.type === FdType.IPV4_SOCK && this.l4proto === L4.UDP;
  }
  /** is_tcp_socket(): IPv4 only, as in libsinsp */
  isTcpSocket(): boolean {
    return this.type === FdType.IPV4_SOCK && this.l4proto === L4.TCP;
  }

  /** The fd type letter sysdig shows in `3(<f>/etc/passwd)`. */
  typeChar(): string {
    switch (this.type) {
      case FdType.FILE_V2:
      case FdType.FILE:
        return 'f';
      case FdType.IPV4_SOCK:
      case FdType.IPV4_SERVSOCK:
        return '4';
      case FdType.IPV6_SOCK:
      case FdType.IPV6_SERVSOCK:
        return '6';
      case FdType.DIRECTORY:
        return 'd';
      case FdType.FIFO:
        return 'p';
      case FdType.UNIX_SOCK:
        return 'u';
      case FdType.EVENT:
        return 'e';
      case FdType.UNINITIALIZED:
        return 'o';
      case FdType.UNSUPPORTED:
        return 'X';
      case FdType.SIGNALFD:
        return 's';
      case FdType.EVENTPOLL:
        return 'l';
      case FdType.INOTIFY:
        return 'i';
      case FdType.TIMERFD:
        return 't';
      case FdType.NETLINK:
        return 'n';
      default:
        return '?';
    }
  }

  typeString(): string {
    switch (this.type) {
      case FdType.FILE_V2:
      case FdType.FILE:
        return 'file';
      case FdType.DIRECTORY:
        return 'directory';
      case FdType.IPV4_SOCK:
      case FdType.IPV4_SERVSOCK:
        return 'ipv4';
      case FdType.IPV6_SOCK:
      case FdType.IPV6_SERVSOCK:
        return 'ipv6';
      case FdType.UNIX_SOCK:
        return 'unix';
      case FdType.FIFO:
        return 'pipe';
      case FdType.EVENT:
        return 'event';
      case FdType.SIGNALFD:
        return 'signalfd';
      case FdType.EVENTPOLL:
        return 'eventpoll';
      case FdType.INOTIFY:
        return 'inotify';
      case FdType.TIMERFD:
        return 'timerfd';
      case FdType.NETLINK:
        return 'netlink';
      default:
        return '<NA>';
    }
  }

  /** get_l4proto(): role-less connected sockets report n/a, as libsinsp does. */
  getL4Proto(): L4 {
    switch (this.type) {
      case FdType.IPV4_SOCK:
      case FdType.IPV6_SOCK:
        if (this.l4proto === L4.RAW) return L4.RAW;
        if (this.isRoleNone()) return L4.NA;
        return this.l4proto;
      case FdType.IPV4_SERVSOCK:
      case FdType.IPV6_SERVSOCK:
        return this.l4proto;
      default:
        return L4.NA;
    }
  }
}
