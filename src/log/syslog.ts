/**
 * Messages to the local syslog daemon, as Falco sends its alerts (outputs_syslog.cpp) and its
 * own log (falco_logger with log_syslog): `syslog(priority, "%s", msg)`, facility LOG_USER,
 * the severity 0-7 the caller gives, the program's name as ident.
 *
 * Two ways, the same bytes: the native addon's syslog(3) (glibc frames the message and sends it
 * to /dev/log); where the addon is absent, or for another socket than /dev/log (tests,
 * `--output syslog:PATH`), the same RFC 3164 frame `<PRI>Mmm dd hh:mm:ss ident: msg` built here
 * and sent as one datagram with the unix-dgram package (Node has no AF_UNIX datagram sockets).
 */
import * as path from 'node:path';
import { nativeSyslog } from '../util/native-addon';

/** facility user (LOG_USER, 1 << 3) */
export const LOG_USER = 8;
export const DEV_LOG = '/dev/log';

export type SendResult = 'sent' | 'failed' | 'congested';

export interface SyslogSender {
  /** 'syslog(3)' (the addon) or 'unix-dgram' */
  readonly via: 'syslog(3)' | 'unix-dgram';
  /** Sends one message; syslog(3) reports nothing, so that way it is always 'sent'. */
  send(severity: number, msg: string): SendResult;
  close(): void;
}

/** The name glibc's syslog(3) uses without openlog (__progname): `falco-ts`, or `falco` through a symlink. */
export function programIdent(): string {
  const a = process.argv[1];
  return a !== undefined && a !== '' ? path.basename(a).replace(/\.[cm]?js$/, '') : 'falco-ts';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** glibc's frame (strftime "%h %e %T", local time, no host name): `<14>Dec  7 15:50:52 falco: msg`. */
export function rfc3164Frame(priority: number, ident: string, msg: string, d: Date = new Date()): string {
  const ts = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `<${priority}>${ts} ${ident}: ${msg}`;
}

interface DgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error & { code?: unknown }) => void): void;
  close(): void;
  on(ev: 'error', f: (e: Error) => void): void;
}

/** The unix-dgram package's socket factory, or null when it is not installed or not built. */
function unixDgram(): ((type: 'unix_dgram') => DgramSocket) | null {
  try {
    return (require('unix-dgram') as { createSocket: (type: 'unix_dgram') => DgramSocket }).createSocket;
  } catch {
    return null;
  }
}

class DatagramSender implements SyslogSender {
  readonly via = 'unix-dgram';
  private sock: DgramSocket | null = null;

  constructor(
    private readonly create: (type: 'unix_dgram') => DgramSocket,
    private readonly socketPath: string,
    private readonly ident: string,
  ) {}

  send(severity: number, msg: string): SendResult {
    // (unconnected: each datagram goes to the path, so a restarted daemon is found again)
    if (this.sock === null) {
      this.sock = this.create('unix_dgram');
      this.sock.on('error', () => undefined);
    }
    const buf = Buffer.from(rfc3164Frame(LOG_USER | severity, this.ident, msg), 'utf8');
    let r: SendResult = 'sent';
    // (the callback runs synchronously: the binding's sendto is non-blocking)
    this.sock.send(buf, 0, buf.length, this.socketPath, (err) => {
      if (err !== undefined) r = err.message === 'congestion' ? 'congested' : 'failed';
    });
    return r;
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }
}

let openedIdent: string | null = null;

export interface SyslogSenderOptions {
  /** default: programIdent() */
  ident?: string;
  /** default /dev/log; another path always takes the datagram way (syslog(3) knows only /dev/log) */
  socket?: string;
  /** tests: false = never the addon */
  native?: boolean;
}

/** A sender by the addon's syslog(3) if it is there, else by unix-dgram; null when neither is. */
export function openSyslogSender(opts: SyslogSenderOptions = {}): SyslogSender | null {
  const ident = opts.ident ?? programIdent();
  const socket = opts.socket ?? DEV_LOG;
  const n = socket === DEV_LOG && opts.native !== false ? nativeSyslog() : null;
  if (n !== null) {
    if (openedIdent !== ident) {
      n.syslogOpen(ident, LOG_USER);
      openedIdent = ident;
    }
    return {
      via: 'syslog(3)',
      send(severity, msg) {
        n.syslogSend(severity, msg);
        return 'sent';
      },
      close() {
        /* the process's one syslog connection stays for the others (Falco never closes it) */
      },
    };
  }
  const create = unixDgram();
  return create === null ? null : new DatagramSender(create, socket, ident);
}

/** Why openSyslogSender() returned null, for an error line. */
export const NO_SYSLOG_SENDER =
  'needs the native addon (npm run build:native) or the npm package unix-dgram (npm install unix-dgram; it builds with node-gyp)';
