/**
 * Output templates: `-p` formats and rule outputs. `%field`, `%field[arg]`, `%Nfield` (fixed
 * width: padded or cut to N), a leading `*` (print <NA> for missing values instead of
 * dropping the line), literal text between tokens. Mirrors libsinsp's sinsp_evt_formatter.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { BoundField, FieldRegistry, FieldValue } from '../filter/field-api';
import { FieldError } from '../filter/field-api';
import { InputError } from '../util/errors';
import { jsonQuote } from './json';

interface Token {
  /** literal text (field === null) */
  text: string;
  field: BoundField | null;
  /** key as written, for JSON output ("proc.name", "evt.arg.fd") */
  key: string;
  width: number;
}

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
    if (s[0] === '*') { requireAll = false; s = s.slice(1); base = 1; }
    const tokens: Token[] = [];
    let lit = '';
    let j = 0;
    while (j < s.length) {
      const c = s[j];
      if (c !== '%') { lit += c; j++; continue; }
      if (lit !== '') { tokens.push({ text: lit, field: null, key: '', width: 0 }); lit = ''; }
      if (j === s.length - 1) throw new InputError(`invalid output format at column ${base + j + 1}: it cannot end with a %`);
      let k = j + 1;
      let width = 0;
      while (k < s.length && s[k] >= '0' && s[k] <= '9') { width = width * 10 + (s.charCodeAt(k) - 48); k++; }
      if (k === s.length) throw new InputError(`invalid output format at column ${base + j + 1}: it cannot end with a number`);
      const n = registry.matchPrefix(s, k);
      if (n === 0) {
        throw new InputError(`invalid output format at column ${base + k + 1}: unknown field '${s.slice(k).split(/[\s%]/)[0]}'`);
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
      let field: BoundField;
      try {
        field = bindDotted(registry, name, arg);
      } catch (e) {
        if (e instanceof FieldError) throw new InputError(`invalid output format at column ${base + k + 1}: ${e.message}`);
        throw e;
      }
      if (field.info.filterOnly) {
        throw new InputError(`invalid output format at column ${base + k + 1}: field ${name} can only be used in filters`);
      }
      name = s.slice(k, end);
      tokens.push({ text: '', field, key: name, width });
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
      if (t.field === null) { out += t.text; continue; }
      let v = t.field.format(ev, st);
      if (v === null) {
        if (this.requireAll) return null;
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
    const parts: Array<[string, string]> = [];
    for (const t of this.sortedFields()) {
      const f = t.field!;
      if (RAW_TIME_JSON.test(t.key)) {
        // libsinsp's tojson gives the raw ns timestamp for the time-of-day/date fields
        parts.push([t.key, String(ev.tsBig())]);
        continue;
      }
      const v = f.extract(ev, st);
      if (v === null) {
        if (this.requireAll) return null;
        parts.push([t.key, 'null']);
        continue;
      }
      parts.push([t.key, jsonValue(f, v, ev, st)]);
    }
    let s = '{';
    for (let i = 0; i < parts.length; i++) s += (i ? ',' : '') + jsonQuote(parts[i][0]) + ':' + parts[i][1];
    return s + '}';
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

function jsonValue(f: BoundField, v: FieldValue, ev: EventView, st: State): string {
  switch (f.info.type) {
    case 'int': case 'uint': case 'reltime': case 'abstime': case 'double': case 'port':
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      break;
    case 'bool':
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      break;
    default:
      break;
  }
  const s = f.format(ev, st);
  return s === null ? 'null' : jsonQuote(s);
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
      if (n === 'n') { out += '\n'; i++; continue; }
      if (n === 't') { out += '\t'; i++; continue; }
      if (n === 'e') { out += '\x1b'; i++; continue; }
      if (n === '\\') { out += '\\'; i++; continue; }
    }
    out += c;
  }
  return out;
}
