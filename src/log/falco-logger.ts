/**
 * Falco's own log (falco_logger): messages of a syslog level within log_level, printed on
 * stderr when the configuration's log_stderr is on, each as `<asctime>: <message>`, and sent
 * to syslog when log_syslog is on (`syslog(level, "%s", msg)`, no trailing newline), like
 * Falco. Not for alerts: those go to the outputs.
 */
import { openSyslogSender, type SyslogSender } from './syslog';

/** syslog levels, most severe first (the number is the syslog severity) */
export const LOG_LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;
export type LogLevel = number;

export const LOG_CRIT = 2;
export const LOG_ERR = 3;
export const LOG_INFO = 6;
export const LOG_DEBUG = 7;

export function parseLogLevel(s: string): LogLevel | null {
  const i = LOG_LEVELS.indexOf(s.toLowerCase() as (typeof LOG_LEVELS)[number]);
  return i < 0 ? null : i;
}

export interface FalcoLogger {
  log(level: LogLevel, msg: string): void;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** C's asctime() without its newline: `Thu Nov 26 22:50:00 2026` (local time). */
export function asctime(d: Date): string {
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`
  );
}

export function stderrLogger(
  enabled: boolean,
  maxLevel: LogLevel,
  write: (s: string) => void = (s) => {
    process.stderr.write(s);
  },
  toSyslog = false,
): FalcoLogger {
  // (opened on the first message: most runs log nothing)
  let sys: SyslogSender | null | undefined = toSyslog ? undefined : null;
  return {
    log(level, msg) {
      if (level > maxLevel) return;
      if (sys === undefined) sys = openSyslogSender();
      // (as glibc's syslog(3) without a daemon: a message nobody receives is not an error)
      if (sys !== null) sys.send(level, msg.endsWith('\n') ? msg.slice(0, -1) : msg);
      if (enabled) write(`${asctime(new Date())}: ${msg.endsWith('\n') ? msg : msg + '\n'}`);
    },
  };
}
