/**
 * Output templates: `-p` formats and rule outputs. `%field`, `%field[arg]`, `%Nfield` (fixed
 * width: padded or cut to N), a leading `*` (print <NA> for missing values instead of
 * dropping the line), literal text between tokens. Mirrors libsinsp's sinsp_evt_formatter.
 */
import type { EventView } from '../event/view';
import { PF } from '../event/types';
import type { State } from '../state/state';
import type { BoundField, FieldRegistry, FieldValue } from '../filter/field-api';
import { FieldError } from '../filter/field-api';
import { InputError } from '../util/errors';
import { jsonQuote, jsonQuoteInto } from './json';
import { storageGrowths } from '../params/evtinfo';
import type { Out } from '../util/out';

interface Token {
  /** literal text (field === null) */
  text: string;
  field: BoundField | null;
  /** key as written, for JSON output ("proc.name", "evt.arg.fd") */
  key: string;
  width: number;
  /** extraction has side effects (see STATEFUL): evaluated even on a dropped line */
  stateful?: boolean;
}

/**
 * Fields whose extraction updates per-binding state (previous timestamp, per-CPU switch
 * times, running totals, libsinsp's kept m_strstorage). sysdig's formatter extracts every
 * token even after a missing value has doomed the line, and for -j calls tojson() twice per
 * token (once to test for null, once for the value): for these fields both are visible.
 */
const STATEFUL = new Set([
  'evt.deltatime',
  'evt.deltatime.s',
  'evt.deltatime.ns',
  'evt.outputtime',
  'evt.latency.human',
  'thread.exectime',
  'thread.totexectime',
]);

/**
 * libsinsp rawval_to_json for integer fields whose print format is not decimal: OCT/HEX
 * values become their rendered string; PF_NA (except the 64-bit signed types) gives null.
 * The evt class serializes its times, latencies and deltas itself: numbers whatever their
 * print format.
 */
function jsonFormOf(f: BoundField): 'string' | 'null' | undefined {
  const pf = f.pf;
  if (pf === undefined || (f.info.cls === 'evt' && f.info.name !== 'evt.type.is')) return undefined;
  switch (f.info.ptype) {
    case 'INT8':
    case 'INT16':
    case 'INT32':
    case 'UINT8':
    case 'UINT16':
    case 'UINT32':
    case 'L4PROTO':
    case 'PORT':
    case 'UINT64':
    case 'RELTIME':
    case 'ABSTIME':
      return pf === PF.OCT || pf === PF.HEX ? 'string' : pf === PF.NA ? 'null' : undefined;
    default:
      return undefined;
  }
}

/** Largest %NNfield width accepted. */
const MAX_FIELD_WIDTH = 65535;

export class Template {
  private constructor(
    private readonly tokens: Token[],
    /** false when the format started with '*' */
    readonly requireAll: boolean,
    readonly source: string,
  ) {}

  /** Compiles a template; throws InputError naming the column of a bad token. */
  static compile(fmt: string, registry: FieldRegistry): Template {
    if (fmt === '') throw new InputError('empty output format');
    let requireAll = true;
    let s = fmt;
    let base = 0;
    if (s[0] === '*') {
      requireAll = false;
      s = s.slice(1);
      base = 1;
    }
    const tokens: Token[] = [];
    let lit = '';
    let j = 0;
    while (j < s.length) {
      const c = s[j];
      if (c !== '%') {
        lit += c;
        j++;
        continue;
      }
      if (lit !== '') {
        tokens.push({ text: lit, field: null, key: '', width: 0 });
        lit = '';
      }
      if (j === s.length - 1)
        throw new InputError(`invalid output format at column ${base + j + 1}: it cannot end with a %`);
      let k = j + 1;
      let width = 0;
      while (k < s.length && s[k] >= '0' && s[k] <= '9') {
        width = width * 10 + (s.charCodeAt(k) - 48);
        k++;
      }
      // a huge width would build a line of that many bytes per event (or throw "Invalid string length")
      if (width > MAX_FIELD_WIDTH) {
        throw new InputError(
          `invalid output format at column ${base + j + 2}: field width ${s.slice(j + 1, k)} is too large (at most ${MAX_FIELD_WIDTH})`,
        );
      }
      if (k === s.length)
        throw new InputError(`invalid output format at column ${base + j + 1}: it cannot end with a number`);
      const n = registry.matchPrefix(s, k);
      if (n === 0) {
        throw new InputError(
          `invalid output format at column ${base + k + 1}: unknown field '${s.slice(k).split(/[\s%]/)[0]}'`,
        );
      }
      let end = k + n;
      let name = s.slice(k, end);
      let arg: string | null = null;
      if (s[end] === '[') {
        const close = s.indexOf(']', end);
        if (close < 0) throw new InputError(`invalid output format at column ${base + end + 1}: missing ']'`);
        arg = s.slice(end + 1, close);
        end = close + 1;
      }
      if (arg === null && (name === 'proc.apid' || name === 'proc.aname')) {
        // sysdig 0.29.3: without '[n]' the ancestor 0 (the process itself) is printed; not at
        // the end of the format, the field parser also consumes nothing, so the field's name
        // follows as literal text.
        arg = '0';
        if (end < s.length) end = k;
      }
      let field: BoundField;
      try {
        field = bindDotted(registry, name, arg);
      } catch (e) {
        if (e instanceof FieldError)
          throw new InputError(`invalid output format at column ${base + k + 1}: ${e.message}`);
        throw e;
      }
      if (end < s.length && name.startsWith('evt.type.is.')) {
        // sysdig 0.29.3 matches the whole rest of the format against the event type: mid-format
        // the field consumes nothing (its value, PF_NA, always prints <NA>) and its name
        // stays as literal text.
        end = k;
      }
      if (field.info.filterOnly) {
        throw new InputError(
          `invalid output format at column ${base + k + 1}: field ${name} can only be used in filters`,
        );
      }
      name = s.slice(k, end);
      tokens.push({ text: '', field, key: name, width, stateful: STATEFUL.has(field.info.name) });
      j = end;
    }
    if (lit !== '') tokens.push({ text: lit, field: null, key: '', width: 0 });
    return new Template(tokens, requireAll, fmt);
  }

  /** The formatted line, or null when a value is missing and the format has no '*'. */
  format(ev: EventView, st: State): string | null {
    let out = '';
    const toks = this.tokens;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.field === null) {
        out += t.text;
        continue;
      }
      let v = t.field.format(ev, st);
      if (v === null) {
        if (this.requireAll) {
          this.drainStateful(i + 1, ev, st);
          return null;
        }
        v = '<NA>';
      }
      if (t.width !== 0) v = v.length >= t.width ? v.slice(0, t.width) : v + ' '.repeat(t.width - v.length);
      out += v;
    }
    return out;
  }

  /**
   * sysdig -j: one JSON object of the template's fields, keys sorted (jsoncpp's map order),
   * typed values; null when a value is missing and the format has no '*'.
   */
  formatJson(ev: EventView, st: State): string | null {
    const o = this.extractFields(ev, st);
    if (o === null) return null;
    let s = '{';
    let first = true;
    for (const k in o) {
      s += (first ? '' : ',') + jsonQuote(k) + ':' + jsonText(o[k]);
      first = false;
    }
    return s + '}';
  }

  /**
   * The values of formatJson(), typed, keys sorted (Falco's alert output_fields): numbers
   * (bigint beyond 2^53: the raw ns timestamp of the time fields), booleans, null, and the
   * other values as formatted byte strings; null when a value is missing and the format has
   * no '*'. formatJson() writes them.
   */
  extractFields(ev: EventView, st: State): Record<string, FieldJsonValue> | null {
    const o: Record<string, FieldJsonValue> = {};
    for (const t of this.sortedFields()) {
      const f = t.field!;
      if (RAW_TIME_JSON.test(t.key)) {
        o[t.key] = ev.tsBig();
        continue;
      }
      let v = f.extract(ev, st);
      if (v !== null && jsonFormOf(f) === 'null') v = null;
      if (v === null) {
        if (this.requireAll) {
          this.drainStatefulJson(ev, st);
          return null;
        }
        o[t.key] = null;
        continue;
      }
      if (t.stateful) v = f.extract(ev, st); // tojson's second call gives the value
      o[t.key] = jsonFormOf(f) === 'string' ? f.format(ev, st) : typedValue(f, v, ev, st);
    }
    return o;
  }

  /** Some token's extraction has side effects (see STATEFUL). */
  get stateful(): boolean {
    return this.tokens.some((t) => t.stateful === true);
  }

  /**
   * format() appended to out as a whole line (with its '\n'); false, with nothing written,
   * when the line is dropped (a missing value without '*').
   */
  formatInto(ev: EventView, st: State, out: Out): boolean {
    const toks = this.tokens;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.field === null) {
        out.str(t.text);
        continue;
      }
      let v = t.field.format(ev, st);
      if (v === null) {
        if (this.requireAll) {
          out.abortLine();
          this.drainStateful(i + 1, ev, st);
          return false;
        }
        v = '<NA>';
      }
      if (t.width !== 0) v = v.length >= t.width ? v.slice(0, t.width) : v + ' '.repeat(t.width - v.length);
      out.str(v);
    }
    out.endLine();
    return true;
  }

  /** formatJson() appended to out as a whole line; false, with nothing written, when dropped. */
  formatJsonInto(ev: EventView, st: State, out: Out): boolean {
    const toks = this.jsonTokens();
    out.byte(0x7b);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (i !== 0) out.byte(0x2c);
      out.str(t.jkey);
      if (t.rawTime) {
        writeRawTs(out, ev);
        continue;
      }
      const f = t.field;
      const g0 = storageGrowths();
      let v = f.extract(ev, st);
      if (v !== null && t.jsonForm === 'null') v = null;
      if (v === null) {
        if (this.requireAll) {
          out.abortLine();
          this.drainStatefulJson(ev, st);
          return false;
        }
        out.str('null');
        continue;
      }
      if (t.stateful) v = f.extract(ev, st); // tojson's second call gives the value
      if (t.jsonForm === 'string') {
        const r = f.format(ev, st);
        if (r === null) out.str('null');
        else jsonQuoteInto(out, r);
        continue;
      }
      // the value extracted above stands for format()'s own extraction unless that one could
      // differ (a stateful field, or the renderer's storage grew: libsinsp renders twice)
      writeJsonValue(out, f, v, ev, st, !t.stateful && storageGrowths() === g0);
    }
    out.byte(0x7d);
    out.endLine();
    return true;
  }

  private jsonToks: JsonToken[] | null = null;
  private jsonTokens(): JsonToken[] {
    if (this.jsonToks === null) {
      this.jsonToks = this.sortedFields().map((t) => ({
        jkey: jsonQuote(t.key) + ':',
        rawTime: RAW_TIME_JSON.test(t.key),
        field: t.field!,
        stateful: t.stateful === true,
        jsonForm: jsonFormOf(t.field!),
      }));
    }
    return this.jsonToks;
  }

  /** A dropped line: the tokens after position `from` are still extracted (their side effects). */
  private drainStateful(from: number, ev: EventView, st: State): void {
    const toks = this.tokens;
    for (let i = from; i < toks.length; i++) if (toks[i].stateful) toks[i].field!.format(ev, st);
  }

  /**
   * A dropped JSON line: every stateful field still gets its first extraction (for those
   * already extracted a second call re-reads the same event: their state does not change).
   */
  private drainStatefulJson(ev: EventView, st: State): void {
    for (const t of this.sortedFields()) if (t.stateful) t.field!.extract(ev, st);
  }

  private sorted: Token[] | null = null;
  private sortedFields(): Token[] {
    if (this.sorted === null) {
      const seen = new Map<string, Token>();
      for (const t of this.tokens) if (t.field !== null) seen.set(t.key, t);
      this.sorted = [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.sorted;
  }
}

const RAW_TIME_JSON = /^evt\.(time|datetime|outputtime)(\.|$)/;

interface JsonToken {
  jkey: string;
  rawTime: boolean;
  field: BoundField;
  stateful: boolean;
  jsonForm: 'string' | 'null' | undefined;
}

/** String(ev.tsBig()) without a BigInt: seconds then 9 digits of nanoseconds. */
function writeRawTs(out: Out, ev: EventView): void {
  const sec = ev.tsSeconds(),
    ns = ev.tsNanos();
  if (sec <= 0) {
    out.str(String(ev.tsBig()));
    return;
  }
  out.int(sec);
  out.ensure(9);
  const b = out.buf;
  let p = out.pos + 9;
  out.pos = p;
  let x = ns;
  for (let i = 0; i < 9; i++) {
    const q = Math.floor(x / 10);
    b[--p] = 48 + (x - q * 10);
    x = q;
  }
}

/** typedValue(f, v, ev, st) as JSON appended to out. */
function writeJsonValue(out: Out, f: BoundField, v: FieldValue, ev: EventView, st: State, reuse: boolean): void {
  switch (f.info.type) {
    case 'int':
    case 'uint':
    case 'reltime':
    case 'abstime':
    case 'double':
    case 'port':
      if (typeof v === 'number') {
        out.int(v);
        return;
      }
      if (typeof v === 'bigint') {
        out.str(String(v));
        return;
      }
      break;
    case 'bool':
      if (typeof v === 'boolean') {
        out.str(v ? 'true' : 'false');
        return;
      }
      break;
    default:
      break;
  }
  const s = reuse && f.formatExtracted !== undefined ? f.formatExtracted(v, ev, st) : f.format(ev, st);
  if (s === null) out.str('null');
  else jsonQuoteInto(out, s);
}

/** A typed value as JSON (strings quoted as jsoncpp does). */
function jsonText(v: FieldJsonValue): string {
  return typeof v === 'string' ? jsonQuote(v) : v === null ? 'null' : String(v);
}

/** A typed output field value (strings as byte strings). */
export type FieldJsonValue = string | number | bigint | boolean | null;

function typedValue(f: BoundField, v: FieldValue, ev: EventView, st: State): FieldJsonValue {
  switch (f.info.type) {
    case 'int':
    case 'uint':
    case 'reltime':
    case 'abstime':
    case 'double':
    case 'port':
      if (typeof v === 'number' || typeof v === 'bigint') return v;
      break;
    case 'bool':
      if (typeof v === 'boolean') return v;
      break;
    default:
      break;
  }
  return f.format(ev, st);
}

/** Binds `evt.arg.name`-style dotted forms through the registry (it resolves them itself). */
function bindDotted(registry: FieldRegistry, name: string, arg: string | null): BoundField {
  return registry.bind(name, arg);
}

/** sysdig processes \n \t \e \\ in -p strings (but Falco outputs do not). */
export function unescapeSysdigFormat(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if (n === 'n') {
        out += '\n';
        i++;
        continue;
      }
      if (n === 't') {
        out += '\t';
        i++;
        continue;
      }
      if (n === 'e') {
        out += '\x1b';
        i++;
        continue;
      }
      if (n === '\\') {
        out += '\\';
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}
