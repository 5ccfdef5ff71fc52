/**
 * sysdig -S: counts of the events the capture loop received (after the filter, internal
 * events included, whether printed or not), per event code, and for the generic syscall
 * events per syscall and direction; printed at the end as sysdig 0.29.3 prints it: the
 * table of PPM_EVENT_MAX + 2*PPM_SC_MAX entries sorted by libstdc++'s std::sort on the count
 * (equal counts keep the order that sort leaves them in), the first 100 non-zero rows.
 */
import type { EventView } from '../../event/view';
import { EVENTS, PPM_EVENT_MAX_E5C53D64 } from '../../event/generated/events';
import { PPM_SC_MAX, PPM_SC_NAMES } from '../../event/generated/syscall-names';
import { isGeneric } from '../../event/codes';
import { stdSort } from './std-sort';

const ROWS = 100;

interface Entry {
  count: number;
  id: number;
  syscall: boolean;
}

export class EventSummary {
  private readonly counts: Float64Array;
  /** events of codes 0.29.3 does not know (later libs): their own rows, after the table */
  private readonly later = new Map<number, number>();

  constructor() {
    this.counts = new Float64Array(PPM_EVENT_MAX_E5C53D64 + PPM_SC_MAX * 2);
  }

  count(ev: EventView): void {
    const t = ev.type;
    if (isGeneric(t)) {
      // (PPME_GENERIC_E is even, _X odd: the direction is the code's low bit)
      const id = ev.paramCount > 0 ? ev.u16(0) : 0;
      if (id < PPM_SC_MAX) this.counts[PPM_EVENT_MAX_E5C53D64 + id * 2 + (t & 1)]++;
    } else if (t < PPM_EVENT_MAX_E5C53D64) this.counts[t]++;
    else this.later.set(t, (this.later.get(t) ?? 0) + 1);
  }

  render(): string {
    const table: Entry[] = [];
    for (let j = 0; j < PPM_EVENT_MAX_E5C53D64; j++) table.push({ count: this.counts[j], id: j, syscall: false });
    for (let j = 0; j < PPM_SC_MAX * 2; j++)
      table.push({ count: this.counts[PPM_EVENT_MAX_E5C53D64 + j], id: j, syscall: true });
    for (const [id, count] of this.later) table.push({ count, id, syscall: false });
    stdSort(table, (x, y) => x.count > y.count);
    let s = '----------------------\n' + 'Event'.padEnd(16) + '#Calls\n' + '----------------------\n';
    for (let j = 0; j < ROWS && j < table.length; j++) {
      const e = table[j];
      if (e.count === 0) break;
      const name = e.syscall ? (PPM_SC_NAMES[e.id >> 1] ?? '') : (EVENTS[e.id]?.name ?? '');
      // std::string::resize(16): padded or cut
      s += `${(e.id & 1) === 0 ? '> ' : '< '}${name.padEnd(16).slice(0, 16)}${e.count}\n`;
    }
    return s;
  }
}
