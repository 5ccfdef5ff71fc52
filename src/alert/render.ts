/**
 * An alert's renderings, each made once and cached on the alert:
 *
 *   text: `<time>: <Priority> <output>` (the rule's line; Falco's internal alerts add their fields)
 *   JSON: Falco's JSON line, keys sorted as nlohmann prints them: hostname, message, output,
 *         output_fields (keys sorted, typed values, 64-bit integers exact), priority, rule,
 *         source, tags (sorted), time (RFC 3339 UTC, 9 fractional digits). `message`, `output`
 *         and `tags` follow the alert's JsonShape (json_include_*_property). Strings are
 *         written as UTF-8, not \u-escaped, as nlohmann's dump() does.
 */
import { type FalcoAlert, type OutputFieldValue, rfc3339Nanos } from './alert';
import { PRIORITY_NAMES } from './priority';

function fieldJson(v: OutputFieldValue): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'null';
  }
}

function renderJson(a: FalcoAlert): string {
  const sh = a.shape;
  let s = '{"hostname":' + JSON.stringify(a.hostname);
  if (sh.message) s += ',"message":' + JSON.stringify(a.message());
  if (sh.output) s += ',"output":' + JSON.stringify(a.jsonOutput());
  if (sh.fields !== false) {
    const f = a.fields();
    s += ',"output_fields":{';
    const keys = Object.keys(f).sort();
    for (let i = 0; i < keys.length; i++) s += (i ? ',' : '') + JSON.stringify(keys[i]) + ':' + fieldJson(f[keys[i]]);
    s += '}';
  }
  s += ',"priority":"' + PRIORITY_NAMES[a.priority] + '","rule":' + JSON.stringify(a.rule);
  s += ',"source":' + JSON.stringify(a.source);
  if (sh.tags)
    s +=
      ',"tags":[' +
      [...a.tags]
        .sort()
        .map((t) => JSON.stringify(t))
        .join(',') +
      ']';
  return s + ',"time":"' + rfc3339Nanos(a.timeNs) + '"}';
}

/** Falco's JSON line of an alert (rendered once). */
export function alertJson(a: FalcoAlert): string {
  return (a.rendered.json ??= renderJson(a));
}

/** An alert as an output prints it: its JSON line, or its text line. */
export function alertLine(a: FalcoAlert, json: boolean): string {
  return json ? alertJson(a) : a.text();
}

/** alertLine() as UTF-8 with its newline (files, programs), made once per form. */
export function alertLineBuffer(a: FalcoAlert, json: boolean): Buffer {
  const r = a.rendered;
  if (json) return (r.jsonBuf ??= Buffer.from(alertJson(a) + '\n', 'utf8'));
  return (r.textBuf ??= Buffer.from(a.text() + '\n', 'utf8'));
}

const ASCII = /^[\x00-\x7f]*$/;

/** alertLine() as a latin1 byte string of its UTF-8 (for Out, which writes byte strings). */
export function alertLineBytes(a: FalcoAlert, json: boolean): string {
  const r = a.rendered;
  if (json) return (r.jsonBytes ??= utf8Bytes(alertJson(a)));
  return (r.textBytes ??= utf8Bytes(a.text()));
}

function utf8Bytes(s: string): string {
  return ASCII.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * The JSON form as a plain object (the keys and values alertJson() writes; bigint for the
 * 64-bit integers), for comparisons with expected alerts.
 */
export function alertObject(a: FalcoAlert): Record<string, unknown> {
  const sh = a.shape;
  const o: Record<string, unknown> = { hostname: a.hostname };
  if (sh.message) o.message = a.message();
  if (sh.output) o.output = a.jsonOutput();
  if (sh.fields !== false) {
    const f = a.fields();
    const fields: Record<string, OutputFieldValue> = {};
    for (const k of Object.keys(f).sort()) {
      const v = f[k];
      fields[k] = typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
    o.output_fields = fields;
  }
  o.priority = PRIORITY_NAMES[a.priority];
  o.rule = a.rule;
  o.source = a.source;
  if (sh.tags) o.tags = [...a.tags].sort();
  o.time = rfc3339Nanos(a.timeNs);
  return o;
}
