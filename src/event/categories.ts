/** Per-code category tables for the hot path (one byte a code, indexed by event type). */
import { EVENTS } from './generated/events';

function table(pred: (category: string, enumName: string) => boolean): Uint8Array {
  const t = new Uint8Array(EVENTS.length);
  for (const e of EVENTS) if (e && pred(e.category, e.enumName)) t[e.code] = 1;
  return t;
}

/** EC_INTERNAL events (sysdig prints them only with -d; Falco's rules never see them). */
export const INTERNAL_EVENT: Uint8Array = table((c) => c.includes('EC_INTERNAL'));

/** The container metadata events a trace starts with (not "the first event" for evt.reltime). */
export const CONTAINER_JSON_EVENT: Uint8Array = table((_c, n) => /^PPME_CONTAINER_JSON(_2)?_E$/.test(n));
