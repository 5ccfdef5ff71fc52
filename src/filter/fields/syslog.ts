/**
 * syslog.*: the message of a successful write to a /dev/log fd, decoded as libsinsp's syslog
 * protocol decoder does: `<PRI>` (decimal digits only) then the text; severity = PRI & 7,
 * facility = PRI >> 3. A value exists only on the write's exit event, from its captured data
 * (cut at the snaplen like the event's buffer). libsinsp attaches the decoder to fds named
 * like /dev/log when they are opened, connected or read from /proc; we look at the fd's name
 * at the write, which is where those paths lead.
 */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { EF, EVT_FLAGS, FieldSpec } from './common';
import { PF } from '../../event/types';

const CLS = 'syslog';
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'clock',
  'authpriv',
  'ftp',
  'ntp',
  'logaudit',
  'logalert',
  'cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
];

/**
 * The decoded message of this event, cached for the other syslog fields of the same event
 * (keyed by its bytes' place as well as its number: numbers restart with each file).
 */
interface Decoded {
  num: number;
  buf: Buffer | null;
  off: number;
  pri: number;
  msg: string;
}
const last: Decoded = { num: -1, buf: null, off: -1, pri: -1, msg: '' };

function decode(ev: EventView, st: State): Decoded | null {
  if (last.num === ev.num && last.buf === ev.buf && last.off === ev.off) return last.pri === -1 ? null : last;
  last.num = ev.num;
  last.buf = ev.buf;
  last.off = ev.off;
  last.pri = -1;
  if ((ev.type & 1) === 0 || (EVT_FLAGS[ev.type] & EF.WRITES_TO_FD) === 0 || !ev.has(1)) return null;
  const f = st.cur.fd;
  if (f === null || !f.name.includes('/dev/log') || ev.i64(0) < 0) return null;
  const b = ev.buf,
    off = ev.paramOffset(1),
    len = ev.paramLen(1);
  // the priority: characters after the first byte up to '>' or NUL, at most 15
  let j = 0,
    pri = 0,
    digits = true;
  for (let p = off + 1; p < off + len && b[p] !== 0x3e && b[p] !== 0 && j < 15; p++, j++) {
    const c = b[p];
    if (c >= 0x30 && c <= 0x39)
      pri = (Math.imul(pri, 10) + (c - 0x30)) | 0; // int32, as libsinsp
    else digits = false;
  }
  if (len < j + 2 || j === 0 || !digits) return null;
  last.pri = pri;
  last.msg = b.latin1Slice(off + j + 2, off + len);
  return last.pri === -1 ? null : last;
}

function spec(name: string, ptype: string, pf: PF, desc: string, get: (d: Decoded) => string | number): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    make: () => ({
      extract: (ev: EventView, st: State) => {
        const d = decode(ev, st);
        return d === null ? null : get(d);
      },
    }),
  };
}

const facility = (d: Decoded): number => (d.pri >> 3) >>> 0;
const severity = (d: Decoded): number => (d.pri & 7) >>> 0;

export const SYSLOG_FIELDS: FieldSpec[] = [
  spec('syslog.facility.str', 'CHARBUF', PF.NA, 'facility as a string.', (d) => FACILITIES[facility(d)] ?? '<NA>'),
  spec('syslog.facility', 'UINT32', PF.DEC, 'facility as a number (0-23).', facility),
  spec(
    'syslog.severity.str',
    'CHARBUF',
    PF.NA,
    'severity as a string. Can have one of these values: emerg, alert, crit, err, warn, notice, info, debug',
    (d) => SEVERITIES[severity(d)],
  ),
  spec('syslog.severity', 'UINT32', PF.DEC, 'severity as a number (0-7).', severity),
  spec('syslog.message', 'CHARBUF', PF.NA, 'message sent to syslog.', (d) => d.msg),
];
