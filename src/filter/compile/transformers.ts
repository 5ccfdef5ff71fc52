/**
 * Field transformers (libsinsp `sinsp_filter_transformer`): tolower, toupper, basename, b64,
 * len over one source; join, concat and getopt over several. Each returns a new source whose
 * getter applies the transformation per event; a type the transformer does not accept fails
 * the compilation with libsinsp's message.
 */
import type { TransformerNode } from '../ast';
import { asciiLower, asciiUpper } from '../operators';
import { asBuf } from './predicates';
import { constSource, toStr, type Fail, type Getter, type Source } from './source';

/** Base64 decode (padding optional); null if not valid base64. */
function b64decode(s: string): Buffer | null {
  let body = s;
  let pad = 0;
  while (body.endsWith('=') && pad < 2) {
    body = body.slice(0, -1);
    pad++;
  }
  if (!/^[A-Za-z0-9+/]*$/.test(body)) return null;
  if (body.length % 4 === 1) return null;
  if (pad > 0 && (body.length + pad) % 4 !== 0) return null;
  return Buffer.from(body, 'base64');
}

export function unaryTransformer(name: string, src: Source, pos: number, fail: Fail): Source {
  if (src.noTransformer) fail(`field '${src.name}' does not support transformers`, pos);
  const bad = (): never =>
    fail(
      `can't add field transformer: type '${src.ptype}' is not supported by '${name}' transformer applied on ` +
        `${src.isList ? 'list ' : ''}field '${src.name}'`,
      pos,
    );
  const g = src.get;
  const mapStr =
    (f: (s: string) => string | null): Getter =>
    (ev, st) => {
      const v = g(ev, st);
      if (v === null) return null;
      if (Array.isArray(v)) {
        const out: string[] = [];
        for (const x of v) {
          const r = f(toStr(x));
          if (r === null) return null;
          out.push(r);
        }
        return out;
      }
      return f(toStr(v));
    };
  switch (name) {
    case 'tolower':
    case 'toupper':
    case 'basename': {
      if (src.type !== 'string') bad();
      const f =
        name === 'tolower'
          ? asciiLower
          : name === 'toupper'
            ? asciiUpper
            : (s: string): string => s.slice(s.lastIndexOf('/') + 1);
      return { ...src, plainField: null, get: mapStr(f) };
    }
    case 'b64': {
      if (src.type === 'string' && src.ptype === 'CHARBUF') {
        return {
          ...src,
          plainField: null,
          get: mapStr((s) => {
            const b = b64decode(s);
            return b ? b.toString('latin1') : null;
          }),
        };
      }
      if (src.type === 'bytebuf') {
        return {
          ...src,
          plainField: null,
          get: (ev, st) => {
            const v = g(ev, st);
            return v === null ? null : b64decode(asBuf(v).toString('latin1'));
          },
        };
      }
      return bad();
    }
    case 'len': {
      const len = (get: Getter): Source => ({
        ...src,
        type: 'uint',
        ptype: 'UINT64',
        isList: false,
        plainField: null,
        get,
      });
      if (src.isList) {
        return len((ev, st) => {
          const v = g(ev, st);
          return Array.isArray(v) ? v.length : v === null ? null : 1;
        });
      }
      if (src.type === 'string') {
        return len((ev, st) => {
          const v = g(ev, st);
          if (v === null) return null;
          const s = v as string;
          const z = s.indexOf('\0');
          return z < 0 ? s.length : z;
        });
      }
      if (src.type === 'bytebuf') {
        return len((ev, st) => {
          const v = g(ev, st);
          return v === null ? null : asBuf(v).length;
        });
      }
      return bad();
    }
    default:
      return fail(`transformer '${name}' is not supported`, pos);
  }
}

export function joinTransformer(args: Source[], n: TransformerNode, fail: Fail): Source {
  if (n.arg !== null) fail("transformer 'join' does not support field arguments", n.start);
  if (args.length !== 2) fail('join() requires exactly 2 arguments: separator and list', n.start);
  if (args[0].isList) fail('join() first argument (separator) must be a single value, not a list', n.start);
  if (!args[1].isList) fail('join() second argument must be a list', n.start);
  const [sep, list] = [args[0].get, args[1].get];
  return {
    ...constSource(null, false),
    get: (ev, st) => {
      const s = sep(ev, st);
      if (s === null) return null;
      const l = list(ev, st);
      if (l === null) return null;
      return (l as (string | number)[]).map((x) => toStr(x)).join(toStr(s as string));
    },
  };
}

export function concatTransformer(args: Source[], n: TransformerNode, fail: Fail): Source {
  if (n.arg !== null) fail("transformer 'concat' does not support field arguments", n.start);
  if (args.length < 2) fail('concat() requires at least 2 arguments', n.start);
  for (const a of args) if (a.type !== 'string' || a.isList) fail('concat() arguments must be strings', n.start);
  const gs = args.map((a) => a.get);
  return {
    ...constSource(null, false),
    get: (ev, st) => {
      let out = '';
      for (const g of gs) {
        const v = g(ev, st);
        if (v === null) return null;
        out += toStr(v as string);
      }
      return out;
    },
  };
}

export function getoptTransformer(args: Source[], n: TransformerNode, fail: Fail): Source {
  if (args.length !== 2) fail('getopt() requires exactly 2 arguments: args list and optstring', n.start);
  if (!args[0].isList) fail('getopt() first argument must be a list', n.start);
  if (args[1].isList) fail('getopt() second argument (optstring) must be a single value', n.start);
  if (args[0].type !== 'string' || args[1].type !== 'string') fail('getopt() arguments must be strings', n.start);
  if (n.arg !== null && n.arg.length !== 1) fail('getopt() field argument must be a single option character', n.start);
  const sel = n.arg;
  const [argv, optg] = [args[0].get, args[1].get];
  return {
    ...constSource(null, sel === null),
    get: (ev, st) => {
      const os = optg(ev, st);
      if (os === null) return null;
      const av = argv(ev, st);
      if (av === null) return null;
      return getopt(
        (av as (string | number)[]).map((x) => toStr(x)),
        toStr(os as string),
        sel,
      );
    },
  };
}

// ---- checks ---------------------------------------------------------------------------------

/** getopt(3)-style scan of argv (libsinsp getopt transformer); `sel` = the [c] selector. */
export function getopt(argv: string[], optstring: string, sel: string | null): string | string[] | null {
  const valid = new Set<string>();
  const withArg = new Set<string>();
  for (let i = optstring[0] === ':' ? 1 : 0; i < optstring.length; i++) {
    const o = optstring[i];
    if (o === ':') continue;
    valid.add(o);
    if (optstring[i + 1] === ':') {
      withArg.add(o);
      i++;
    }
  }
  const results: string[] = [];
  let selected: string | null = null;
  const emit = (name: string, value: string | null): void => {
    if (sel !== null) selected = value ?? name;
    else {
      results.push(name);
      if (value !== null) results.push(value);
    }
  };
  for (let ai = 0; ai < argv.length; ai++) {
    const a = argv[ai];
    if (a === '--') break;
    if (a.length > 2 && a[0] === '-' && a[1] === '-') continue;
    if (a.length === 0 || a[0] !== '-' || a.length === 1) break;
    for (let i = 1; i < a.length; i++) {
      const o = a[i];
      if (o === ':' || !valid.has(o)) {
        if (sel === null) results.push('?');
        continue;
      }
      const match = sel === null || o === sel;
      if (!withArg.has(o)) {
        if (match) emit(o, null);
        continue;
      }
      let val: string | null = null;
      if (i + 1 < a.length) val = a.slice(i + 1);
      else if (ai + 1 < argv.length) val = argv[++ai];
      if (val === null) {
        if (match) emit('', null);
        break;
      }
      if (match) emit(o, val);
      break;
    }
  }
  if (sel !== null) return selected;
  return results;
}
