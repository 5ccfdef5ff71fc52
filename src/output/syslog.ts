/**
 * `syslog` output: each alert to the local syslog socket (/dev/log) as an RFC 3164 message,
 * `<PRI>Mmm dd hh:mm:ss host falco-ts: <alert>`, facility user, severity from the priority
 * (Emergency 0 … Debug 7), like Falco's syslog_output.
 *
 * Node cannot open AF_UNIX datagram sockets, so the datagrams are sent by util-linux
 * `logger --prio-prefix`, kept running as a program output (restarted if it dies).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FalcoAlert } from '../alert/alert';
import { alertLine } from '../alert/render';
import { syslogSeverity } from '../alert/priority';
import { ProgramOutput } from './program';
import { InputError } from '../util/errors';

export interface SyslogOptions {
  json?: boolean;
  /** socket path (default /dev/log) */
  socket?: string;
  /** tag (default falco-ts) */
  ident?: string;
  queueCapacity?: number;
  log?: (msg: string) => void;
}

const LOG_USER = 1;

function findLogger(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':').concat(['/usr/bin', '/bin'])) {
    const p = path.join(dir, 'logger');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

function shQuote(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** The syslog line for an alert (one line: newlines become spaces). */
export function syslogLine(a: FalcoAlert, json: boolean): string {
  const pri = LOG_USER * 8 + syslogSeverity(a.priority);
  const msg = alertLine(a, json);
  return `<${pri}>` + msg.replace(/[\r\n]+/g, ' ');
}

export function createSyslogOutput(opts: SyslogOptions = {}): ProgramOutput {
  const sock = opts.socket ?? '/dev/log';
  let st: fs.Stats;
  try {
    st = fs.statSync(sock);
  } catch {
    throw new InputError(
      `--output syslog: ${sock} does not exist (no syslog daemon or journald here); use file:PATH or program:CMD instead`,
    );
  }
  if (!st.isSocket()) throw new InputError(`--output syslog: ${sock} is not a socket`);
  const logger = findLogger();
  if (logger === null)
    throw new InputError('--output syslog: needs the util-linux `logger` program, not found in PATH');
  const ident = opts.ident ?? 'falco-ts';
  const cmd = `exec ${shQuote(logger)} --prio-prefix --rfc3164 --socket-errors=on -u ${shQuote(sock)} -t ${shQuote(ident)}`;
  const json = opts.json === true;
  return new ProgramOutput(cmd, {
    displayName: sock === '/dev/log' ? 'syslog' : `syslog:${sock}`,
    format: (a) => syslogLine(a, json),
    queueCapacity: opts.queueCapacity,
    log: opts.log,
  });
}
