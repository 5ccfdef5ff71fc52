/**
 * `syslog` output: each alert to the local syslog daemon as Falco's syslog_output sends it,
 * `syslog(severity, "%s", alert)` with facility user and the severity of the alert's priority
 * (Emergency 0 … Debug 7): through the addon's syslog(3), else as the same RFC 3164 datagram
 * from JS (src/log/syslog.ts). The text is Falco's line (or JSON), newlines kept, as Falco.
 */
import * as fs from 'node:fs';
import { AlertOutput, FalcoAlert, newCounters } from '../alert/alert';
import { alertLine } from '../alert/render';
import { syslogSeverity } from '../alert/priority';
import { InputError } from '../util/errors';
import { DEV_LOG, NO_SYSLOG_SENDER, openSyslogSender, type SyslogSender } from '../log/syslog';

export interface SyslogOptions {
  json?: boolean;
  /** socket path (default /dev/log) */
  socket?: string;
  /** default: the program's name, as syslog(3) */
  ident?: string;
  /** tests: false = the datagram way even for /dev/log */
  native?: boolean;
}

/** The message of an alert, as Falco hands it to syslog(3). */
export function syslogMessage(a: FalcoAlert, json: boolean): string {
  return alertLine(a, json);
}

export class SyslogOutput implements AlertOutput {
  readonly name: string;
  readonly counters = newCounters();

  constructor(
    private readonly sender: SyslogSender,
    socket: string,
    private readonly json: boolean,
  ) {
    this.name = socket === DEV_LOG ? 'syslog' : `syslog:${socket}`;
  }

  /** 'syslog(3)' or 'unix-dgram' */
  get via(): string {
    return this.sender.via;
  }

  emit(a: FalcoAlert): void {
    const r = this.sender.send(syslogSeverity(a.priority), syslogMessage(a, this.json));
    // (a full daemon queue is a drop, never a wait: the event loop keeps going)
    if (r === 'sent') this.counters.sent++;
    else if (r === 'congested') this.counters.dropped++;
    else this.counters.failed++;
  }

  pending(): number {
    return 0;
  }

  flush(): void {
    /* datagrams leave at once */
  }

  close(): Promise<void> {
    this.sender.close();
    return Promise.resolve();
  }
}

/** Throws InputError when there is no socket or no way to send to it. */
export function createSyslogOutput(opts: SyslogOptions = {}): SyslogOutput {
  const sock = opts.socket ?? DEV_LOG;
  let st: fs.Stats;
  try {
    st = fs.statSync(sock);
  } catch {
    throw new InputError(
      `--output syslog: ${sock} does not exist (no syslog daemon or journald here); use file:PATH or program:CMD instead`,
    );
  }
  if (!st.isSocket()) throw new InputError(`--output syslog: ${sock} is not a socket`);
  const sender = openSyslogSender({ ident: opts.ident, socket: sock, native: opts.native });
  if (sender === null) throw new InputError(`--output syslog: ${NO_SYSLOG_SENDER}`);
  return new SyslogOutput(sender, sock, opts.json === true);
}
