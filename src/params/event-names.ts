/** evt.type: the event name, or for generic syscall events the syscall's name. */
import type { EventView } from '../event/view';
import { PPM_SC_NAMES } from '../event/generated/syscall-names';
import { isGeneric } from '../event/codes';

export function eventTypeName(ev: EventView): string {
  if (isGeneric(ev.type)) {
    if (ev.paramCount < 1) return 'syscall';
    const id = ev.u16(0);
    return id < PPM_SC_NAMES.length ? PPM_SC_NAMES[id] : '<unknown>';
  }
  return ev.info !== null ? ev.info.name : 'unknown';
}
