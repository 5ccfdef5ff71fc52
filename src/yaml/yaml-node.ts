/**
 * A small yaml-cpp-like view of the `yaml` package's documents: every node knows its kind
 * (map, seq, scalar, null), its scalar text as written and its line/column, which is all
 * the rules reader needs.
 */
import type * as YT from 'yaml';
import { parseYamlFast } from './yaml-fast';
import type { NodeKind, YDoc, YNode } from './yaml-types';
import { yamlCppError } from './yaml-cpp-errors';

/** the `yaml` package, loaded only for the YAML the fast reader leaves to it */
let yamlPkg: typeof YT | null = null;
const yamlLib = (): typeof YT => (yamlPkg ??= require('yaml') as typeof YT);

export class YamlParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
    readonly pos: number,
  ) {
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
// Past this depth (yaml-cpp, counting one level per node, refuses 500) the text is put to
// yaml-cpp's rules: whether the yaml package overflows its stack first depends on the JIT.
const DEEP = 100;
const guard = {
  aliases: 0,
  nodes: 0,
  depth: 0,
  /** the text being read, and whether yaml-cpp's depth verdict on it was asked (once the tree got DEEP) */
  text: '',
  deepChecked: false,
  active: new Set<YT.Node>(),
  resolved: new Map<YT.Node, YT.Node | undefined>(),
};

function refuse(message: string, pos: number, lc: YT.LineCounter): never {
  const lp = lc.linePos(pos);
  throw new YamlParseError(`error at line ${lp.line}, column ${lp.col}: ${message}`, lp.line, lp.col, pos);
}

/**
 * Parses every document of a YAML stream; throws YamlParseError on the first syntax error.
 * The common shapes of rules files go through yaml-fast.ts (same trees); the rest, and every
 * error, through the `yaml` package. A refused text is reported as yaml-cpp (Falco's parser)
 * reports it (yaml-cpp-errors.ts), or in the yaml package's words where yaml-cpp would load it.
 */
export function parseYamlDocs(text: string): YDoc[] {
  return parseYamlFast(text) ?? parseYamlGeneral(text);
}

/** parseYamlDocs through the `yaml` package only (exported for the tests comparing both readers). */
export function parseYamlGeneral(text: string): YDoc[] {
  const Y = yamlLib();
  guard.aliases = 0;
  guard.nodes = 0;
  guard.depth = 0;
  guard.text = text;
  guard.deepChecked = false;
  guard.active.clear();
  guard.resolved.clear();
  const lc = new Y.LineCounter();
  const docs = Y.parseAllDocuments(text, { lineCounter: lc, uniqueKeys: false, prettyErrors: false, strict: false });
  // an EmptyStream is an array too (of no documents)
  const arr: readonly YT.Document.Parsed[] = docs;
  const out: YDoc[] = [];
  for (const d of arr) {
    if (d.errors.length > 0) {
      // reported as Falco does: where and in the words of yaml-cpp (when it refuses the text too)
      const cpp = yamlCppError(text);
      if (cpp !== null) throw new YamlParseError(cpp.message, cpp.line, cpp.col, cpp.pos);
      const e = d.errors[0];
      const pos = e.pos[0];
      const lp = lc.linePos(pos);
      // (the yaml package reports its own stack overflow as a parse error)
      const msg = /Maximum call stack size exceeded/.test(e.message)
        ? 'document nested too deeply'
        : e.message.split('\n')[0];
      throw new YamlParseError(`error at line ${lp.line}, column ${lp.col}: ${msg}`, lp.line, lp.col, pos);
    }
    let root: YNode | null;
    try {
      root = d.contents === null ? null : convert(d.contents, d, lc);
    } catch (e) {
      if (e instanceof RangeError) refuse('document nested too deeply', (d.contents as YT.Node).range?.[0] ?? 0, lc);
      throw e;
    }
    out.push({ root });
  }
  return out;
}

function mk(kind: NodeKind, pos: number, lc: YT.LineCounter): YNode {
  if (++guard.nodes > MAX_NODES)
    refuse(`document too large: more than ${MAX_NODES} nodes (after alias expansion)`, pos, lc);
  const lp = lc.linePos(pos);
  return { kind, str: '', items: [], map: new Map(), line: lp.line, col: lp.col, pos };
}

function convert(n: YT.Node | null | undefined, doc: YT.Document.Parsed, lc: YT.LineCounter): YNode {
  const Y = yamlLib();
  if (n === null || n === undefined) return mk('null', 0, lc);
  const pos = n.range ? n.range[0] : 0;
  if (Y.isAlias(n)) {
    if (++guard.aliases > MAX_ALIASES)
      refuse(`too many aliases (more than ${MAX_ALIASES}): refusing a possible alias bomb`, pos, lc);
    // resolve() searches the document: once per alias node, not once per expansion
    if (!guard.resolved.has(n)) guard.resolved.set(n, n.resolve(doc));
    const target = guard.resolved.get(n);
    if (target === undefined) refuse(`unknown alias *${n.source}`, pos, lc);
    if (guard.active.has(target))
      refuse(`alias *${n.source} refers to a node that contains it (recursive alias)`, pos, lc);
    return convert(target, doc, lc);
  }
  if ((Y.isMap(n) || Y.isSeq(n)) && n.anchor) {
    guard.active.add(n);
    try {
      return convertCollection(n, doc, lc, pos);
    } finally {
      guard.active.delete(n);
    }
  }
  return convertCollection(n, doc, lc, pos);
}

function convertCollection(n: YT.Node, doc: YT.Document.Parsed, lc: YT.LineCounter, pos: number): YNode {
  if (++guard.depth > DEEP && !guard.deepChecked) {
    guard.deepChecked = true;
    const cpp = yamlCppError(guard.text);
    // (only its depth limit: other refusals yaml-cpp alone makes are not applied to shallow texts either)
    if (cpp !== null && cpp.message.endsWith(': bad file'))
      throw new YamlParseError(cpp.message, cpp.line, cpp.col, cpp.pos);
  }
  try {
    return convertNode(n, doc, lc, pos);
  } finally {
    guard.depth--;
  }
}

function convertNode(n: YT.Node, doc: YT.Document.Parsed, lc: YT.LineCounter, pos: number): YNode {
  const Y = yamlLib();
  if (Y.isMap(n)) {
    const r = mk('map', pos, lc);
    for (const p of n.items) {
      const k = convert(p.key as YT.Node, doc, lc);
      const v =
        p.value === null || p.value === undefined ? mk('null', k.pos, lc) : convert(p.value as YT.Node, doc, lc);
      if (!r.map.has(k.str)) r.map.set(k.str, { key: k, value: v });
    }
    return r;
  }
  if (Y.isSeq(n)) {
    const r = mk('seq', pos, lc);
    for (const it of n.items) r.items.push(convert(it as YT.Node, doc, lc));
    return r;
  }
  if (Y.isScalar(n)) {
    const v = n.value as string | number | boolean | bigint | null | undefined;
    if (v === null || v === undefined) {
      const r = mk('null', pos, lc);
      return r;
    }
    const r = mk('scalar', pos, lc);
    if (typeof v === 'string') r.str = v;
    else {
      const src = n.source;
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
