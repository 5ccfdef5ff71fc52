/** One open file descriptor, as libsinsp's sinsp_fdinfo tracks it. */
import { FdType } from '../capture/metadata';

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
export const enum L4 { UNKNOWN = 0, NA = 1, TCP = 2, UDP = 3, ICMP = 4, RAW = 5 }

export class FdInfo {
  type: number = FdType.UNINITIALIZED;
  openFlags = 0;
  name = '';
  oldName = '';
  flags = 0;
  dev = 0;
  mountId = 0;
  ino = 0;
  // Socket info. IPv4 addresses are u32 read LE from network-order bytes.
  sip = 0;
  dip = 0;
  sport = 0;
  dport = 0;
  l4proto = 0;
  /** IPv6 addresses (16 bytes each) */
  sip6: Buffer = Buffer.alloc(16);
  dip6: Buffer = Buffer.alloc(16);
  unixSource = 0n;
  unixDest = 0n;

  clone(): FdInfo {
    const f = new FdInfo();
    f.copyFrom(this);
    return f;
  }
  copyFrom(o: FdInfo): void {
    this.type = o.type; this.openFlags = o.openFlags; this.name = o.name; this.oldName = o.oldName;
    this.flags = o.flags; this.dev = o.dev; this.mountId = o.mountId; this.ino = o.ino;
    this.sip = o.sip; this.dip = o.dip; this.sport = o.sport; this.dport = o.dport; this.l4proto = o.l4proto;
    this.sip6 = Buffer.from(o.sip6); this.dip6 = Buffer.from(o.dip6);
    this.unixSource = o.unixSource; this.unixDest = o.unixDest;
  }

  isRoleServer(): boolean { return (this.flags & FdFlags.ROLE_SERVER) !== 0; }
  isRoleClient(): boolean { return (this.flags & FdFlags.ROLE_CLIENT) !== 0; }
  isRoleNone(): boolean { return (this.flags & (FdFlags.ROLE_CLIENT | FdFlags.ROLE_SERVER)) === 0; }
  setRoleServer(): void { this.flags |= FdFlags.ROLE_SERVER; }
  setRoleClient(): void { this.flags |= FdFlags.ROLE_CLIENT; }
  isSocketConnected(): boolean { return (this.flags & FdFlags.SOCKET_CONNECTED) !== 0; }
  setSocketConnected(): void { this.flags = (this.flags & ~(FdFlags.CONNECTION_PENDING | FdFlags.CONNECTION_FAILED)) | FdFlags.SOCKET_CONNECTED; }
  setSocketPending(): void { this.flags = (this.flags & ~(FdFlags.SOCKET_CONNECTED | FdFlags.CONNECTION_FAILED)) | FdFlags.CONNECTION_PENDING; }
  setSocketFailed(): void { this.flags = (this.flags & ~(FdFlags.SOCKET_CONNECTED | FdFlags.CONNECTION_PENDING)) | FdFlags.CONNECTION_FAILED; }

  isFile(): boolean { return this.type === FdType.FILE || this.type === FdType.FILE_V2; }
  isIpv4Socket(): boolean { return this.type === FdType.IPV4_SOCK; }
  isIpv6Socket(): boolean { return this.type === FdType.IPV6_SOCK; }
  isUnixSocket(): boolean { return this.type === FdType.UNIX_SOCK; }
  isUdpSocket(): boolean { return this.type === FdType.IPV4_SOCK && this.l4proto === L4.UDP; }

  /** The fd type letter sysdig shows in `3(<f>/etc/passwd)`. */
  typeChar(): string {
    switch (this.type) {
      case FdType.FILE_V2: case FdType.FILE: return 'f';
      case FdType.IPV4_SOCK: case FdType.IPV4_SERVSOCK: return '4';
      case FdType.IPV6_SOCK: case FdType.IPV6_SERVSOCK: return '6';
      case FdType.DIRECTORY: return 'd';
      case FdType.FIFO: return 'p';
      case FdType.UNIX_SOCK: return 'u';
      case FdType.EVENT: return 'e';
      case FdType.UNINITIALIZED: return 'o';
      case FdType.UNSUPPORTED: return 'X';
      case FdType.SIGNALFD: return 's';
      case FdType.EVENTPOLL: return 'l';
      case FdType.INOTIFY: return 'i';
      case FdType.TIMERFD: return 't';
      case FdType.NETLINK: return 'n';
      default: return '?';
    }
  }

  typeString(): string {
    switch (this.type) {
      case FdType.FILE_V2: case FdType.FILE: return 'file';
      case FdType.DIRECTORY: return 'directory';
      case FdType.IPV4_SOCK: case FdType.IPV4_SERVSOCK: return 'ipv4';
      case FdType.IPV6_SOCK: case FdType.IPV6_SERVSOCK: return 'ipv6';
      case FdType.UNIX_SOCK: return 'unix';
      case FdType.FIFO: return 'pipe';
      case FdType.EVENT: return 'event';
      case FdType.SIGNALFD: return 'signalfd';
      case FdType.EVENTPOLL: return 'eventpoll';
      case FdType.INOTIFY: return 'inotify';
      case FdType.TIMERFD: return 'timerfd';
      case FdType.NETLINK: return 'netlink';
      default: return '<NA>';
    }
  }

  /** get_l4proto(): role-less connected sockets report n/a, as libsinsp does. */
  getL4Proto(): number {
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
