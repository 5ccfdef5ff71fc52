/**
 * The alert contract between the rules engine and the outputs: Falco's JSON alert object
 * (rules-format.md §6.3), plus the counters every output keeps and the AlertSink interface
 * the engine emits into.
 *
 * Strings in a FalcoAlert are ordinary (Unicode) JS strings, as JSON.stringify expects. Values
 * formatted from trace bytes (Template.format returns latin1 byte strings) must go through
 * textFromBytes() first, which decodes UTF-8 and replaces invalid sequences, as Falco does.
 */
import * as os from 'node:os';

export type Priority = 'Emergency' | 'Alert' | 'Critical' | 'Error' | 'Warning' | 'Notice' | 'Informational' | 'Debug';

/** Most to least severe; the index is the syslog severity (0 = emerg … 7 = debug). */
export const PRIORITIES: readonly Priority[] = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
];

/** (bigint: a 64-bit integer beyond 2^53, e.g. a ns timestamp, kept exact) */
export type OutputFieldValue = string | number | bigint | boolean | null | (string | number)[];

/** One alert, exactly the JSON object Falco (and falcosidekick) exchange. */
export interface FalcoAlert {
  hostname: string;
  /** the rule output without the time and priority (json_include_message_property) */
  message?: string;
  /**
   * the full text line: "<time>: <Priority> <rule output>"; absent from a JSON alert made with
   * json_include_output_property=false (text outputs always have it)
   */
  output?: string;
  output_fields: Record<string, OutputFieldValue>;
  priority: Priority;
  rule: string;
  /** "syscall" for rules on system calls */
  source: string;
  /** absent with json_include_tags_property=false, and on Falco's internal alerts */
  tags?: string[];
  /** event time in UTC, RFC 3339 with 9 fractional digits: 2016-08-04T16:17:57.881759471Z */
  time: string;
}

/** What every output counts. After close(): emitted = sent + failed + dropped. */
export interface OutputCounters {
  /** delivered (HTTP 2xx, written to the file / pipe / socket) */
  sent: number;
  /** delivery attempts repeated after a failure (one alert can be retried several times) */
  retried: number;
  /** given up on after an attempt: retries exhausted, permanent rejection, write error */
  failed: number;
  /** never attempted: queue full, output unavailable, or still queued when the flush timed out */
  dropped: number;
}

/** Where the rules engine sends alerts. emit() never blocks and never throws. */
export interface AlertSink {
  emit(alert: FalcoAlert): void;
}

/** One destination. Outputs are created by OutputManager from `--output` specs. */
export interface AlertOutput extends AlertSink {
  /** display name, safe to print (credentials redacted) */
  readonly name: string;
  readonly counters: OutputCounters;
  /** alerts accepted but not yet sent/failed (queued or in flight) */
  pending(): number;
  /** push buffered bytes out synchronously where the output can (stdout, file) */
  flush(): void;
  /** deliver what is pending within timeoutMs, then release resources; leftovers count as dropped */
  close(timeoutMs: number): Promise<void>;
}

export function newCounters(): OutputCounters {
  return { sent: 0, retried: 0, failed: 0, dropped: 0 };
}

/** Falco's priority names and its accepted spellings (case-insensitive; "info", "warn"). */
export function parsePriority(s: string): Priority | null {
  const l = s.toLowerCase();
  for (const p of PRIORITIES) if (p.toLowerCase() === l) return p;
  if (l === 'info') return 'Informational';
  if (l === 'warn') return 'Warning';
  if (l === 'emerg') return 'Emergency';
  if (l === 'crit') return 'Critical';
  if (l === 'err') return 'Error';
  return null;
}

/** Syslog severity of a priority (Emergency 0 … Debug 7). */
export function prioritySeverity(p: Priority): number {
  const i = PRIORITIES.indexOf(p);
  return i < 0 ? 4 : i;
}

/** RFC 3339 UTC with nanoseconds from an epoch-ns timestamp: "2016-08-04T16:17:57.881759471Z". */
export function rfc3339Nanos(tsNs: bigint | number): string {
  const ns = typeof tsNs === 'bigint' ? tsNs : BigInt(Math.trunc(tsNs));
  const sec = ns / 1000000000n;
  const frac = ns % 1000000000n;
  const d = new Date(Number(sec) * 1000);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return iso.slice(0, 19) + '.' + frac.toString().padStart(9, '0') + 'Z';
}

/** Falco's `hostname`: FALCO_HOSTNAME, else the host name. */
export function defaultHostname(): string {
  const h = process.env.FALCO_HOSTNAME;
  return h !== undefined && h !== '' ? h : os.hostname();
}

/** Decodes a latin1 byte string (trace bytes) as UTF-8, invalid sequences → U+FFFD. */
export function textFromBytes(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

function sortKeys(o: Record<string, OutputFieldValue>): Record<string, OutputFieldValue> {
  const r: Record<string, OutputFieldValue> = {};
  for (const k of Object.keys(o).sort()) r[k] = o[k];
  return r;
}

/** One alert as a JSON line, keys sorted as Falco (nlohmann) prints them; tags sorted; absent keys left out. */
export function alertToJson(a: FalcoAlert): string {
  const head = JSON.stringify({ hostname: a.hostname, message: a.message, output: a.output });
  const fields = sortKeys(a.output_fields ?? {});
  const fieldsJson = Object.keys(fields)
    .map((k) => {
      const v = fields[k];
      return JSON.stringify(k) + ':' + (typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
    })
    .join(',');
  const tail = JSON.stringify({
    priority: a.priority,
    rule: a.rule,
    source: a.source,
    tags: a.tags === undefined ? undefined : [...a.tags].sort(),
    time: a.time,
  });
  return `${head.slice(0, -1)},"output_fields":{${fieldsJson}},${tail.slice(1)}`;
}

/**
 * JSON.parse keeping integers beyond 2^53 exact (as bigint), which a double would round:
 * 64-bit output fields, e.g. %evt.time.iso8601 as the ns timestamp 1470327477881781397.
 * (They are marked as "\u0000<digits>" strings for the parse; a text that has \u0000 of its
 * own is parsed as it is.)
 */
export function parseJsonExact(text: string): unknown {
  if (!/\d{16}/.test(text) || text.includes('\\u0000')) return JSON.parse(text);
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.+-])/g, (m) =>
    m[0] === '"' || Number.isSafeInteger(Number(m)) ? m : `"\\u0000${m}"`,
  );
  return JSON.parse(marked, (_k, v: unknown) =>
    typeof v === 'string' && v.charCodeAt(0) === 0 ? BigInt(v.slice(1)) : v,
  );
}

/** An alert as an output prints it: its JSON line, or its text line. */
export function alertLine(a: FalcoAlert, json: boolean): string {
  return json ? alertToJson(a) : (a.output ?? '');
}

/**
 * One of Falco's own alerts (falco_outputs::handle_msg), e.g. the syscall event drop alert:
 * source "internal", no tags, string fields. Its text line is `<time of day>: <Priority>
 * <message> (k="v" ...)`; in JSON, `output` is the message alone.
 */
export function internalAlert(o: {
  rule: string;
  priority: Priority;
  message: string;
  fields: Record<string, string>;
  timeOfDay: string;
  time: string;
  json: boolean;
}): FalcoAlert {
  const keys = Object.keys(o.fields).sort();
  const text = `${o.timeOfDay}: ${o.priority} ${o.message} (${keys.map((k) => `${k}=${JSON.stringify(o.fields[k])}`).join(' ')})`;
  return {
    hostname: defaultHostname(),
    output: o.json ? o.message : text,
    output_fields: o.fields,
    priority: o.priority,
    rule: o.rule,
    source: 'internal',
    time: o.time,
  };
}

/**
 * Adapter for the rules engine's JSON alert line (AlertFormatter.json, a latin1 byte string):
 * the FalcoAlert outputs take. Missing properties get Falco's defaults.
 */
export function alertFromJson(line: string): FalcoAlert {
  const o = parseJsonExact(textFromBytes(line)) as Partial<FalcoAlert>;
  const pr = typeof o.priority === 'string' ? parsePriority(o.priority) : null;
  return {
    hostname: typeof o.hostname === 'string' ? o.hostname : defaultHostname(),
    message: typeof o.message === 'string' ? o.message : undefined,
    output: typeof o.output === 'string' ? o.output : undefined,
    output_fields: o.output_fields && typeof o.output_fields === 'object' ? o.output_fields : {},
    priority: pr ?? 'Debug',
    rule: typeof o.rule === 'string' ? o.rule : '',
    source: typeof o.source === 'string' ? o.source : 'syscall',
    tags: Array.isArray(o.tags) ? o.tags.map(String) : undefined,
    time: typeof o.time === 'string' ? o.time : rfc3339Nanos(BigInt(Date.now()) * 1000000n),
  };
}
