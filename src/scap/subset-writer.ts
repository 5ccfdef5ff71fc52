/**
 * Writing the matching subset of an event stream so that it still replays right: events that
 * did not match but change state (their type or its enter/exit pair has EF_MODIFIES_STATE) are
 * written hidden (SCAP_DF_STATE_ONLY), and a matching exit gets its enter event in front of it
 * (hidden, if the enter did not match itself) so readers can pair them. Used by filtered
 * `replay -w` and filtered `capture -w`.
 */
import type { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { DF_STATE_ONLY, type ScapWriter } from './writer';

/** events whose type (or its enter/exit pair) changes state */
const STATEFUL = new Uint8Array(EVENTS.length);
for (const e of EVENTS) {
  if (!e || !e.flags.includes('EF_MODIFIES_STATE')) continue;
  STATEFUL[e.code] = 1;
  if ((e.code ^ 1) < EVENTS.length) STATEFUL[e.code ^ 1] = 1;
}

export function isStateful(type: number): boolean {
  return STATEFUL[type] === 1;
}

interface Enter {
  buf: Buffer;
  len: number;
  cpu: number;
  type: number;
  written: boolean;
}

export class SubsetWriter {
  /** the last enter event per thread (v2 layout), and whether it was written */
  private readonly lastEnter = new Map<number, Enter>();

  /** A matching event: its pending enter first (for an exit), then the event. */
  matched(w: ScapWriter, ev: EventView): void {
    const enter = (ev.type & 1) === 0;
    if (!enter) {
      const pe = this.lastEnter.get(ev.tid);
      if (pe !== undefined && !pe.written && pe.type === ev.type - 1) {
        w.writeEventBytes(pe.buf.subarray(0, pe.len), pe.cpu, DF_STATE_ONLY);
        pe.written = true;
      }
    }
    w.writeEvent(ev, ev.dumpFlags);
    if (enter) this.remember(ev, true);
  }

  /** An event that did not match: written hidden if it changes state (and `hide` allows). */
  unmatched(w: ScapWriter, ev: EventView, hide = true): void {
    const h = hide && STATEFUL[ev.type] === 1;
    if (h) w.writeEvent(ev, ev.dumpFlags | DF_STATE_ONLY);
    if ((ev.type & 1) === 0) this.remember(ev, h);
  }

  private remember(ev: EventView, written: boolean): void {
    const len = ev.v1 ? ev.len + 4 : ev.len;
    let e = this.lastEnter.get(ev.tid);
    if (e === undefined || e.buf.length < len) {
      e = { buf: Buffer.allocUnsafe(Math.max(len, 256)), len: 0, cpu: 0, type: 0, written: false };
      this.lastEnter.set(ev.tid, e);
    }
    if (ev.v1) {
      // a v1 header lacks nparams: insert it (and fix len) for the v2 layout
      ev.buf.copy(e.buf, 0, ev.off, ev.off + 22);
      e.buf.writeUInt32LE(len, 16);
      e.buf.writeUInt32LE(ev.nparams, 22);
      ev.buf.copy(e.buf, 26, ev.off + 22, ev.off + ev.len);
    } else {
      ev.buf.copy(e.buf, 0, ev.off, ev.off + len);
    }
    e.len = len;
    e.cpu = ev.cpu;
    e.type = ev.type;
    e.written = written;
  }
}
