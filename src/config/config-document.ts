/**
 * The configuration as one YAML document, built as falco_configuration::init_from_file does:
 * the main file, then the files its `config_files` name (and `-o config_files=...`), merged by
 * their strategy, then every `-o key=value`. Scalars read from files have `${VAR}` replaced by
 * the environment (yaml_helper::pre_process_env_vars); -o values are taken as they are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as YT from 'yaml';
import { ConfigPathError, setConfigPath } from './config-path';

export type Doc = Record<string, unknown>;

export interface ConfigDocument {
  root: Doc;
  /** each file read, in order, with its own top-level document (the key check reads them) */
  files: { file: string; doc: Doc }[];
}

export type Strategy = 'append' | 'override' | 'add-only';

const CONFIGS_KEY = 'config_files';

/** A node as text: a scalar as itself, '' for null or missing, a list or map as JSON. */
export function nodeText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/**
 * `${NAME}` becomes the variable's value (or nothing when unset), `$${...}` a literal `${...}`;
 * a `${` without a closing `}` ends the scan with the rest untouched, as Falco.
 */
export function expandEnv(value: string, env: NodeJS.ProcessEnv = process.env): string {
  let v = value;
  let start = v.indexOf('$');
  // (a value is scanned again where a variable was put, as Falco; the bound stops VAR='${VAR}')
  for (let n = 0; start >= 0 && n < 1000; n++) {
    const sub = v.slice(start);
    if (sub.startsWith('${')) {
      const end = sub.indexOf('}');
      if (end < 0) break;
      const name = sub.slice(2, end);
      v = v.slice(0, start) + (env[name] ?? '') + v.slice(start + name.length + 3);
    } else if (sub.startsWith('$${')) {
      if (sub.indexOf('}') < 0) break;
      v = v.slice(0, start) + v.slice(start + 1);
      start++;
    } else start += sub.length;
    start = v.indexOf('$', start);
  }
  return v;
}

/** expandEnv over every string scalar of a parsed document (map keys stay as they are) */
function expandAll(node: unknown): unknown {
  if (typeof node === 'string') return expandEnv(node);
  if (Array.isArray(node)) return node.map(expandAll);
  if (node !== null && typeof node === 'object') {
    const o = node as Doc;
    for (const k of Object.keys(o)) o[k] = expandAll(o[k]);
  }
  return node;
}

/** Reads one YAML file as a map; errors name the line and column (and the file, if `named`). */
export function readYamlFile(file: string, fail: (msg: string) => never, named = true): Doc {
  const where = named ? `${file}: ` : '';
  const Y = require('yaml') as typeof YT;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return fail(`${where}${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const lc = new Y.LineCounter();
  const doc = Y.parseDocument(text, { prettyErrors: false, lineCounter: lc });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const p = lc.linePos(e.pos[0]);
    fail(`${where}line ${p.line}, column ${p.col}: ${e.message.split('\n')[0]}`);
  }
  const root = (doc.toJS() as unknown) ?? {};
  if (typeof root !== 'object' || Array.isArray(root)) fail(`${where}the document is not a map`);
  return expandAll(root) as Doc;
}

/** One `config_files` entry: a path, or `{path, strategy}` (append by default). */
function includeEntry(e: unknown, fail: (msg: string) => never): { path: string; strategy: Strategy } {
  if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
    const m = e as Doc;
    if (m.path === undefined || m.path === null) fail(`${CONFIGS_KEY}: an entry has no path`);
    const s = nodeText(m.strategy) || 'append';
    // (Falco takes an unknown strategy as append; its schema check warns about it)
    return { path: nodeText(m.path), strategy: s === 'override' || s === 'add-only' ? s : 'append' };
  }
  if (Array.isArray(e)) fail(`${CONFIGS_KEY}: an entry is a sequence`);
  return { path: nodeText(e), strategy: 'append' };
}

/** yaml_helper::include_config_file: one included file's top-level keys into the root */
function include(root: Doc, doc: Doc, strategy: Strategy): void {
  for (const [k, v] of Object.entries(doc)) {
    if (strategy === 'add-only') {
      if (root[k] === undefined) root[k] = v;
    } else if (strategy === 'append' && Array.isArray(v)) {
      const cur: unknown = root[k];
      const add = v as unknown[];
      root[k] = Array.isArray(cur)
        ? [...(cur as unknown[]), ...add]
        : cur === undefined || cur === null
          ? add
          : [cur, ...add];
    } else root[k] = v;
  }
}

/** Falco's -o: `key=value`, a value in {} read as a YAML map; `[...]` also read as YAML here. */
export function applyOption(root: Doc, opt: string, fail: (msg: string) => never): void {
  const eq = opt.indexOf('=');
  if (eq < 0) fail(`Error parsing config option "${opt}". Must be of the form key=val or key.subkey=val`);
  const key = opt.slice(0, eq);
  const raw = opt.slice(eq + 1);
  let value: unknown = raw;
  // (Falco takes `[a, b]` as one string, which no key then accepts: reading it as a list is kinder)
  if (/^\{.*\}$|^\[.*\]$/s.test(raw)) {
    try {
      value = (require('yaml') as typeof YT).parse(raw) as unknown;
    } catch (e) {
      fail(`-o ${key}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    setConfigPath(root, key.trim(), value);
  } catch (e) {
    if (e instanceof ConfigPathError) fail(e.message);
    throw e;
  }
}

/**
 * The document of a configuration file (or none: the -o options over an empty document) with
 * its `config_files` merged and the -o options applied.
 */
export function loadConfigDocument(
  file: string | null,
  options: readonly string[],
  fail: (msg: string) => never,
): ConfigDocument {
  if (file === null) {
    const root: Doc = {};
    for (const o of options) applyOption(root, o, fail);
    return { root, files: [] };
  }
  const root = readYamlFile(file, fail, false);
  const files = [{ file, doc: { ...root } }];
  // the -o config_files options count before the merge (load_cmdline_config_files)
  for (const o of options) if (o.startsWith(CONFIGS_KEY)) applyOption(root, o, fail);
  const listed = root[CONFIGS_KEY];
  const entries = listed === undefined || listed === null ? [] : Array.isArray(listed) ? listed : [listed];
  for (const e of entries) {
    const inc = includeEntry(e, fail);
    if (path.normalize(inc.path) === path.normalize(file))
      fail(`Config error: '${CONFIGS_KEY}' directive tried to recursively include main config file: ${file}.`);
    let st: fs.Stats;
    try {
      st = fs.statSync(inc.path);
    } catch {
      continue; // (a missing entry is skipped, as a missing rules file)
    }
    const targets = st.isDirectory()
      ? fs
          .readdirSync(inc.path)
          .map((n) => path.join(inc.path, n))
          .filter((f) => isFile(f))
          .sort()
      : st.isFile()
        ? [inc.path]
        : [];
    for (const f of targets) {
      const doc = readYamlFile(f, fail);
      if (CONFIGS_KEY in doc) fail(`Config error: '${CONFIGS_KEY}' directive in included config file ${f}.`);
      files.push({ file: f, doc });
      include(root, doc, inc.strategy);
    }
  }
  for (const o of options) applyOption(root, o, fail);
  return { root, files };
}

function isFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}
