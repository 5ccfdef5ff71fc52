/**
 * Operators: names, type compatibility (libsinsp `flt_is_comparable`), and the byte-string
 * helpers the compiled checks use (ASCII case folding, path-prefix search for pmatch).
 */
import type { FieldType } from './field-api';
import { compileGlob, type GlobMatcher } from './glob';

export type Op =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'in'
  | 'intersects'
  | 'pmatch'
  | 'exists';

export type Modifier = 'oneof' | 'anyof' | 'allof';

export interface Comparator {
  op: Op;
  mod: Modifier | null;
}

const OPS: Record<string, Op> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  contains: 'contains',
  icontains: 'icontains',
  bcontains: 'bcontains',
  startswith: 'startswith',
  bstartswith: 'bstartswith',
  endswith: 'endswith',
  glob: 'glob',
  iglob: 'iglob',
  regex: 'regex',
  in: 'in',
  intersects: 'intersects',
  pmatch: 'pmatch',
  exists: 'exists',
};

/** libsinsp cmpop_to_str */
export const OP_TEXT: Record<Op, string> = {
  eq: '=',
  ne: '!=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  contains: 'contains',
  icontains: 'icontains',
  bcontains: 'bcontains',
  startswith: 'startswith',
  bstartswith: 'bstartswith',
  endswith: 'endswith',
  glob: 'glob',
  iglob: 'iglob',
  regex: 'regex',
  in: 'in',
  intersects: 'intersects',
  pmatch: 'pmatch',
  exists: 'exists',
};

/** "startswith oneof" → {op, mod} (libsinsp str_to_cmpop_with_modifier). */
export function parseComparator(text: string): Comparator {
  const sp = text.indexOf(' ');
  const opText = sp < 0 ? text : text.slice(0, sp);
  const op = OPS[opText];
  if (!op) throw new Error(`unrecognized filter comparison operator '${opText}'`);
  if (sp < 0) return { op, mod: null };
  const m = text.slice(sp + 1);
  if (m !== 'oneof' && m !== 'anyof' && m !== 'allof')
    throw new Error(`unrecognized filter comparison modifier '${m}'`);
  return { op, mod: m };
}

export const isNumericType = (t: FieldType): boolean =>
  t === 'int' || t === 'uint' || t === 'port' || t === 'reltime' || t === 'abstime' || t === 'double';

const NUMERIC_OPS = new Set<Op>(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'intersects', 'exists']);
const BOOL_OPS = new Set<Op>(['eq', 'ne', 'in', 'intersects', 'exists']);
const STRING_OPS = new Set<Op>([
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'contains',
  'in',
  'exists',
  'icontains',
  'startswith',
  'glob',
  'pmatch',
  'endswith',
  'intersects',
  'iglob',
  'regex',
]);
const BUFFER_OPS = new Set<Op>([
  'eq',
  'ne',
  'contains',
  'in',
  'exists',
  'startswith',
  'endswith',
  'intersects',
  'bcontains',
  'bstartswith',
]);
const IP_OPS = new Set<Op>(['eq', 'ne', 'in', 'exists', 'intersects']);
const LIST_OPS = new Set<Op>(['in', 'exists', 'intersects']);

/**
 * libsinsp flt_is_comparable: null if `cmp` is allowed on a field of this type/list-ness,
 * else the error message. `typeName` is the ppm type name used in messages.
 */
export function comparableError(cmp: Comparator, type: FieldType, isList: boolean, typeName: string): string | null {
  if (cmp.op === 'exists') return null;
  const name = OP_TEXT[cmp.op];
  if (isList) {
    if (!(
      type === 'string' ||
      type === 'uint' ||
      type === 'reltime' ||
      type === 'abstime' ||
      type === 'bool' ||
      type === 'ipaddr' ||
      type === 'ipnet' ||
      type === 'int'
    )) {
      return `list filters are not supported for type '${typeName}'`;
    }
    return LIST_OPS.has(cmp.op) ? null : `'${name}' operator not supported list filters`;
  }
  if (isNumericType(type))
    return NUMERIC_OPS.has(cmp.op) ? null : `'${name}' operator not supported for numeric filters`;
  switch (type) {
    case 'bool':
      return BOOL_OPS.has(cmp.op) ? null : `'${name}' operator not supported for numeric filters`;
    case 'string':
      return STRING_OPS.has(cmp.op) ? null : `'${name}' operator not supported for string filters`;
    case 'bytebuf':
      return BUFFER_OPS.has(cmp.op) ? null : `'${name}' operator not supported for buffer filters`;
    case 'ipaddr':
    case 'ipnet':
      if (cmp.mod !== null) return `'${name}' with modifier not supported for ip address and network filters`;
      return IP_OPS.has(cmp.op) ? null : `'${name}' operator not supported for ip address and network filters`;
    default:
      return `'${name}' operator not supported for type '${typeName}'`;
  }
}

// ---- byte-string helpers --------------------------------------------------------------------

/** C-locale tolower on a byte string (ASCII only); returns `s` itself when unchanged. */
export function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/** C-locale toupper on a byte string (ASCII only). */
export function asciiUpper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s;
}

/** strcasestr(hay, needle) with `needleLower` already ASCII-lowercased; no allocation. */
export function includesAsciiCI(hay: string, needleLower: string): boolean {
  const n = needleLower.length;
  if (n === 0) return true;
  const last = hay.length - n;
  const f = needleLower.charCodeAt(0);
  outer: for (let i = 0; i <= last; i++) {
    let c = hay.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== f) continue;
    for (let j = 1; j < n; j++) {
      let d = hay.charCodeAt(i + j);
      if (d >= 65 && d <= 90) d += 32;
      if (d !== needleLower.charCodeAt(j)) continue outer;
    }
    return true;
  }
  return false;
}

// ---- pmatch ------------------------------------------------------------------------------------

interface PNode {
  /** literal component → subtree, or null when a search path ends here */
  dirs: Map<string, PNode | null>;
  /** glob component (contains * ? [) → subtree or null */
  globs: { pat: string; m: GlobMatcher; sub: PNode | null }[];
}

const newPNode = (): PNode => ({ dirs: new Map(), globs: [] });

/** Splits on '/', dropping empty components (libsinsp split_path). */
function splitPath(p: string): string[] {
  const out: string[] = [];
  for (const c of p.split('/')) if (c.length > 0) out.push(c);
  return out;
}

/**
 * libsinsp path_prefix_search: a path matches if some search path's components are a prefix of
 * its components; components with glob characters match per component with fnmatch. "/"
 * matches everything; relative and absolute paths compare alike.
 */
export class PathPrefixSearch {
  private readonly root = newPNode();
  /** a search path of "/" (no components) */
  private matchAll = false;

  add(path: string): void {
    const comps = splitPath(path);
    if (comps.length === 0) {
      this.matchAll = true;
      return;
    }
    let node = this.root;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i];
      const isLast = i === comps.length - 1;
      if (/[?*[]/.test(c)) {
        let g = node.globs.find((x) => x.pat === c);
        if (!g) {
          g = { pat: c, m: compileGlob(c), sub: isLast ? null : newPNode() };
          node.globs.push(g);
        } else if (isLast) {
          g.sub = null;
        }
        if (g.sub === null) return; // a shorter (or equal) prefix already covers this path
        node = g.sub;
        continue;
      }
      const ex = node.dirs.get(c);
      if (ex === undefined) {
        if (isLast) {
          node.dirs.set(c, null);
          return;
        }
        const sub = newPNode();
        node.dirs.set(c, sub);
        node = sub;
      } else if (ex === null) {
        return;
      } else if (isLast) {
        node.dirs.set(c, null);
        return;
      } else {
        node = ex;
      }
    }
  }

  match(path: string): boolean {
    if (this.matchAll) return true;
    return matchFrom(this.root, splitPath(path), 0);
  }
}

function matchFrom(node: PNode, comps: string[], i: number): boolean {
  if (i >= comps.length) return false; // the path is shorter than every search path here
  const c = comps[i];
  const d = node.dirs.get(c);
  if (d === null) return true;
  if (d !== undefined && matchFrom(d, comps, i + 1)) return true;
  for (const g of node.globs) {
    if (g.m(c)) {
      if (g.sub === null) return true;
      if (matchFrom(g.sub, comps, i + 1)) return true;
    }
  }
  return false;
}
