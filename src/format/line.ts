/**
 * sysdig's default output line:
 *   %evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info
 * built directly (no template interpretation) because it is the hot path of replay.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import { ParamRenderer } from './evtinfo';
import { timeOfDay } from './time';
import { eventTypeName } from './event-names';

export class DefaultLineFormatter {
  constructor(private readonly state: State, private readonly params: ParamRenderer) {}

  format(ev: EventView): string {
    const t = this.state.cur.thread;
    return ev.num + ' ' + timeOfDay(ev.tsSeconds(), ev.tsNanos()) + ' ' + ev.cpu + ' ' +
      (t !== null ? t.comm : '<NA>') + ' (' + ev.tid + ') ' + ((ev.type & 1) === 0 ? '>' : '<') + ' ' +
      eventTypeName(ev) + ' ' + this.params.info(ev);
  }
}
