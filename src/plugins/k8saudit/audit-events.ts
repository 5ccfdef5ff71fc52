/**
 * The audit events of one JSON document, as the k8saudit plugin accepts them from a file line
 * or a webhook body: an `Event`, an `EventList` (its `items`), or an array of those. Each event
 * becomes one payload (its compact JSON) timed by its stageTimestamp. A document of another
 * kind is an error; an event without a usable stageTimestamp, or larger than maxEventSize, is
 * dropped with a problem line while the others are kept (the plugin logs and goes on).
 */
import type { SourcedEvent } from '../api';
import { InputError } from '../../util/errors';
import { child, marshal, type Json } from '../json/json-value';
import { parseRfc3339Nanos } from './timestamp';

export const NOT_AUDIT = 'data not recognized as a k8s audit event';

export interface AuditEvents {
  events: SourcedEvent[];
  /** one line per dropped event */
  problems: string[];
}

export function auditEventsOf(doc: Json, maxEventSize: number): AuditEvents {
  const out: AuditEvents = { events: [], problems: [] };
  collect(doc, maxEventSize, out);
  return out;
}

function collect(doc: Json, max: number, out: AuditEvents): void {
  if (Array.isArray(doc)) {
    for (const d of doc) collect(d, max, out);
    return;
  }
  const kind = child(doc, 'kind');
  if (kind === 'EventList') {
    const items = child(doc, 'items');
    if (Array.isArray(items)) {
      for (const it of items) one(it, max, out);
      return;
    }
  } else if (kind === 'Event') {
    one(doc, max, out);
    return;
  }
  throw new Error(NOT_AUDIT);
}

function one(ev: Json, max: number, out: AuditEvents): void {
  const st = child(ev, 'stageTimestamp');
  if (st === undefined) {
    out.problems.push("can't read stageTimestamp");
    return;
  }
  let ts: bigint;
  try {
    ts = parseRfc3339Nanos(typeof st === 'string' ? st : '');
  } catch (e) {
    out.problems.push((e as Error).message);
    return;
  }
  const data = Buffer.from(marshal(ev), 'utf8');
  if (data.length > max) {
    out.problems.push(`event larger than maxEventSize: size=${data.length}`);
    return;
  }
  out.events.push({ data, ts });
}

/**
 * The events of one line of an audit log (`where`: file:line, for messages). A line that is
 * not JSON throws a one-line InputError (`badJsonThrows`) or is warned about and skipped (a
 * watched log goes on); other problems are warnings.
 */
export function eventsOfLine(
  line: string,
  where: string,
  maxEventSize: number,
  warn: (msg: string) => void,
  badJsonThrows: boolean,
): SourcedEvent[] {
  let doc: Json;
  try {
    doc = JSON.parse(line) as Json;
  } catch (e) {
    const msg = `${where}: bad audit JSON: ${(e as Error).message}`;
    if (badJsonThrows) throw new InputError(`k8saudit: ${msg}`);
    warn(msg);
    return [];
  }
  let got;
  try {
    got = auditEventsOf(doc, maxEventSize);
  } catch (e) {
    warn(`${where}: ${(e as Error).message}`);
    return [];
  }
  for (const p of got.problems) warn(`${where}: ${p}`);
  return got.events;
}
