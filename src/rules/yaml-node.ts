/**
 * A small yaml-cpp-like view of the `yaml` package's documents: every node knows its kind
 * (map, seq, scalar, null), its scalar text as written and its line/column, which is all
 * the rules reader needs.
 */
import * as Y from 'yaml';

export type NodeKind = 'map' | 'seq' | 'scalar' | 'null';

export interface YNode {
  kind: NodeKind;
  /** scalar text (yaml-cpp's Scalar()): the string value, or the source of a plain number/bool */
  str: string;
  items: YNode[];
  /** map entries by key text, in order */
  map: Map<string, { key: YNode; value: YNode }>;
  /** 1-based line/column and 0-based offset of the node start */
  line: number;
  col: number;
  pos: number;
}

export interface YDoc { root: YNode | null }

export class YamlParseError extends Error {
  constructor(message: string, readonly line: number, readonly col: number, readonly pos: number) {
    super(message);
    this.name = 'YamlParseError';
  }
}

/**
 * Hostile-input bounds (billion laughs): aliases are expanded into copies, so their number and
 * the number of nodes they produce are capped; an alias inside the node it names is refused.
 */
const MAX_ALIASES = 10000;
const MAX_NODES = 1_000_000;
const guard = { aliases: 0, nodes: 0, active: new Set<Y.Node>(), resolved: new Map<Y.Node, Y.Node | undefined>() };

function refuse(message: string, pos: number, lc: Y.LineCounter): never {
  const lp = lc.linePos(pos);
  throw new YamlParseError(`error at line ${lp.line}, column ${lp.col}: ${message}`, lp.line, lp.col, pos);
}

/** Parses every document of a YAML stream; throws YamlParseError on the first syntax error. */
export function parseYamlDocs(text: string): YDoc[] {
  guard.aliases = 0;
  guard.nodes = 0;
  guard.active.clear();
  guard.resolved.clear();
  const lc = new Y.LineCounter();
  const docs = Y.parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, strict: false });
  const arr = Array.isArray(docs) ? docs : [docs as unknown as Y.Document.Parsed];
  const out: YDoc[] = [];
  for (const d of arr) {
    if (d.errors.length > 0) {
      const e = d.errors[0];
      const pos = e.pos[0];
      const lp = lc.linePos(pos);
      throw new YamlParseError(`error at line ${lp.line}, column ${lp.col}: ${e.message.split('\n')[0]}`, lp.line, lp.col, pos);
    }
    let root: YNode | null;
    try {
      root = d.contents === null ? null : convert(d.contents as Y.Node, d, lc);
    } catch (e) {
      if (e instanceof RangeError) refuse('document nested too deeply', (d.contents as Y.Node).range?.[0] ?? 0, lc);
      throw e;
    }
    out.push({ root });
  }
  return out;
}

function mk(kind: NodeKind, pos: number, lc: Y.LineCounter): YNode {
  if (++guard.nodes > MAX_NODES) refuse(`document too large: more than ${MAX_NODES} nodes (after alias expansion)`, pos, lc);
  const lp = lc.linePos(pos);
  return { kind, str: '', items: [], map: new Map(), line: lp.line, col: lp.col, pos };
}

function convert(n: Y.Node | null | undefined, doc: Y.Document.Parsed, lc: Y.LineCounter): YNode {
  if (n === null || n === undefined) return mk('null', 0, lc);
  const pos = n.range ? n.range[0] : 0;
  if (Y.isAlias(n)) {
    if (++guard.aliases > MAX_ALIASES) refuse(`too many aliases (more than ${MAX_ALIASES}): refusing a possible alias bomb`, pos, lc);
    // resolve() searches the document: once per alias node, not once per expansion
    if (!guard.resolved.has(n)) guard.resolved.set(n, n.resolve(doc) as Y.Node | undefined);
    const target = guard.resolved.get(n);
    if (target === undefined) refuse(`unknown alias *${n.source}`, pos, lc);
    if (guard.active.has(target)) refuse(`alias *${n.source} refers to a node that contains it (recursive alias)`, pos, lc);
    return convert(target, doc, lc);
  }
  if ((Y.isMap(n) || Y.isSeq(n)) && n.anchor) {
    guard.active.add(n);
    try { return convertCollection(n, doc, lc, pos); } finally { guard.active.delete(n); }
  }
  return convertCollection(n, doc, lc, pos);
}

function convertCollection(n: Y.Node, doc: Y.Document.Parsed, lc: Y.LineCounter, pos: number): YNode {
  if (Y.isMap(n)) {
    const r = mk('map', pos, lc);
    for (const p of n.items) {
      const k = convert(p.key as Y.Node, doc, lc);
      const v = p.value === null || p.value === undefined
        ? mk('null', k.pos, lc) : convert(p.value as Y.Node, doc, lc);
      if (!r.map.has(k.str)) r.map.set(k.str, { key: k, value: v });
    }
    return r;
  }
  if (Y.isSeq(n)) {
    const r = mk('seq', pos, lc);
    for (const it of n.items) r.items.push(convert(it as Y.Node, doc, lc));
    return r;
  }
  if (Y.isScalar(n)) {
    const v = n.value;
    if (v === null || v === undefined) {
      const r = mk('null', pos, lc);
      return r;
    }
    const r = mk('scalar', pos, lc);
    if (typeof v === 'string') r.str = v;
    else {
      const src = (n as unknown as { source?: string }).source;
      r.str = typeof src === 'string' && src !== '' ? src : String(v);
    }
    return r;
  }
  return mk('null', pos, lc);
}

/** yaml-cpp's bool decoding. */
export function decodeBool(s: string): boolean | null {
  if (/^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s)) return true;
  if (/^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(s)) return false;
  return null;
}
