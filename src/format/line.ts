/**
 * sysdig's default output line:
 *   %evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info
 * built directly (no template interpretation) because it is the hot path of replay.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { Out } from '../util/out';
import { ParamRenderer } from '../params/evtinfo';
import { timeOfDay, writeTimeOfDay } from '../params/time';
import { eventTypeName } from '../params/event-names';

export class DefaultLineFormatter {
  constructor(
    private readonly state: State,
    private readonly params: ParamRenderer,
  ) {}

  format(ev: EventView): string {
    const t = this.state.cur.thread;
    return (
      ev.num +
      ' ' +
      timeOfDay(ev.tsSeconds(), ev.tsNanos()) +
      ' ' +
      ev.cpu +
      ' ' +
      (t !== null ? t.comm : '<NA>') +
      ' (' +
      ev.tid +
      ') ' +
      ((ev.type & 1) === 0 ? '>' : '<') +
      ' ' +
      eventTypeName(ev) +
      ' ' +
      this.params.info(ev)
    );
  }

  /** format(ev) + '\n' written straight into out's buffer (same bytes, no intermediate strings). */
  writeLine(ev: EventView, out: Out): void {
    const t = this.state.cur.thread;
    out.int(ev.num);
    out.byte(0x20);
    writeTimeOfDay(out, ev.tsSeconds(), ev.tsNanos());
    out.byte(0x20);
    out.int(ev.cpu);
    out.byte(0x20);
    out.str(t !== null ? t.comm : '<NA>');
    out.byte(0x20);
    out.byte(0x28);
    out.int(ev.tid);
    out.byte(0x29);
    out.byte(0x20);
    out.byte((ev.type & 1) === 0 ? 0x3e : 0x3c);
    out.byte(0x20);
    out.str(eventTypeName(ev));
    out.byte(0x20);
    this.params.infoInto(ev, out);
    out.endLine();
  }
}
