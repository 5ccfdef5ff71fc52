/**
 * Stage 1 of rule loading (Falco's rule_loader::reader): YAML text → validated items handed
 * to the collector, each with a Context (file:line:col chain). The first error stops the
 * file, as in Falco. Messages follow Falco's wording (rule_loader_reader.cpp).
 */
import { Collector, ExEntry, ExceptionInfo, RuleInfo, RuleUpdate, parseSemver } from './collector';
import { Context, ItemType, LoadResult, RuleLoadError } from './types';
import { type Priority, parsePriority } from '../alert/priority';
import { YamlParseError, decodeBool, parseYamlDocs } from '../yaml/yaml-node';
import type { YNode } from '../yaml/yaml-types';

const BARESTR = /^[^()"'\s=,]+$/;
const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

const WARNING_APPEND =
  "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
const WARNING_ENABLED =
  "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
const ERROR_OVERRIDE_APPEND =
  "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

const fail = (msg: string, ctx: Context): never => {
  throw new RuleLoadError('LOAD_ERR_YAML_VALIDATE', msg, ctx);
};
const at = (n: YNode) => ({ line: n.line, col: n.col, pos: n.pos });

type Kind = 'string' | 'bool' | 'uint';

function getNode(item: YNode, key: string): YNode | undefined {
  return item.map.get(key)?.value;
}

/** decode_val / decode_optional_val: a non-empty scalar of the given kind. */
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'bool', optional: true): boolean | undefined;
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'bool', optional?: false): boolean;
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'uint', optional: true): number | undefined;
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'uint', optional?: false): number;
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'string', optional: true): string | undefined;
function decodeVal(item: YNode, key: string, ctx: Context, kind: 'string', optional?: false): string;
function decodeVal(
  item: YNode,
  key: string,
  ctx: Context,
  kind: Kind,
  optional = false,
): string | boolean | number | undefined {
  const val = getNode(item, key);
  if (val === undefined && optional) return undefined;
  if (val === undefined) fail(`Item has no mapping for key '${key}'`, ctx);
  if (val!.kind === 'null') fail(`Mapping for key '${key}' is empty`, ctx);
  const vctx = ctx.child('value for', key, at(val!));
  if (val!.kind !== 'scalar') fail('Value is not a scalar value', vctx);
  const s = val!.str;
  if (s === '') fail('Value must be non-empty', vctx);
  if (kind === 'string') return s;
  if (kind === 'bool') {
    const b = decodeBool(s);
    if (b === null) fail("Can't decode YAML scalar value", vctx);
    return b!;
  }
  if (!/^\+?\d+$/.test(s)) fail("Can't decode YAML scalar value", vctx);
  return Number(s);
}

/** decode_seq: a sequence of scalars (items, tags). */
function decodeSeq(item: YNode, key: string, ctx: Context, optional: boolean): string[] | undefined {
  const val = getNode(item, key);
  if (val === undefined && optional) return undefined;
  if (val === undefined) fail(`Item has no mapping for key '${key}'`, ctx);
  const vctx = ctx.child('value for', key, at(val!));
  if (val!.kind !== 'seq') fail('Value is not a sequence', vctx);
  const out: string[] = [];
  for (const v of val!.items) {
    const ictx = vctx.child('list item', '', at(v));
    if (v.kind !== 'scalar') fail('sequence value is not scalar', ictx);
    out.push(v.str);
  }
  return out;
}

function decodeTags(item: YNode, ctx: Context): Set<string> | undefined {
  const t = decodeSeq(item, 'tags', ctx, true);
  return t === undefined ? undefined : new Set(t);
}

/** decode_exception_info_entry: a scalar or a (nested) sequence of scalars. */
function decodeExEntry(
  val: YNode | undefined,
  key: string | null,
  ctx: Context,
  optional: boolean,
): ExEntry | undefined {
  if (val === undefined && optional) return undefined;
  if (val === undefined) fail(`Item has no mapping for key '${key}'`, ctx);
  const vctx = ctx.child('value for', key ?? '', at(val!));
  const e: ExEntry = { isList: false, item: '', items: [] };
  if (val!.kind === 'scalar') {
    if (val!.str === '') fail('Value must be non-empty', vctx);
    e.item = val!.str;
  } else if (val!.kind === 'seq') {
    e.isList = true;
    for (const v of val!.items) {
      const lctx = vctx.child('exception', '', at(v));
      e.items.push(decodeExEntry(v, null, lctx, false)!);
    }
  }
  return e;
}

function readExceptions(res: LoadResult, item: YNode, parent: Context, append: boolean): ExceptionInfo[] | undefined {
  const exs = getNode(item, 'exceptions');
  if (exs === undefined || exs.kind === 'null') return undefined;
  const exesCtx = parent.child('exceptions', '', at(exs));
  if (exs.kind !== 'seq') fail('Rule exceptions must be a sequence', exesCtx);
  const out: ExceptionInfo[] = [];
  const names = new Set<string>();
  for (const ex of exs.items) {
    const tmp = exesCtx.child('exception', '', at(ex));
    if (ex.kind !== 'map') fail('Rule exception must be a mapping', tmp);
    const name = decodeVal(ex, 'name', tmp, 'string');
    const exCtx = parent.child('exception', name, at(ex));
    if (names.has(name))
      res.addWarning(
        'LOAD_EXCEPTION_NAME_NOT_UNIQUE',
        "Multiple definitions of exception '" + name + "' in the same rule",
        exCtx,
      );
    names.add(name);
    const fields = decodeExEntry(getNode(ex, 'fields'), 'fields', exCtx, append) ?? {
      isList: false,
      item: '',
      items: [],
    };
    const comps = decodeExEntry(getNode(ex, 'comps'), 'comps', exCtx, true) ?? { isList: false, item: '', items: [] };
    const values: ExEntry[] = [];
    const exvals = getNode(ex, 'values');
    if (exvals !== undefined) {
      const valsCtx = exCtx.child('exception values', '', at(exvals));
      if (exvals.kind !== 'seq') fail('Rule exception values must be a sequence', valsCtx);
      for (const v of exvals.items) {
        const vctx = valsCtx.child('exception value', '', at(v));
        values.push(decodeExEntry(v, null, vctx, false)!);
      }
    }
    out.push({ name, ctx: exCtx, fields, comps, values });
  }
  return out;
}

function warnUnknownKeys(res: LoadResult, item: YNode, expected: ReadonlySet<string>, ctx: Context): void {
  for (const k of item.map.keys()) {
    if (!expected.has(k)) res.addWarning('LOAD_UNKNOWN_KEY', `Unknown key '${k}'. The key will be ignored.`, ctx);
  }
}

/** decode_overrides: the `override:` map → keys to append and keys to replace. */
function decodeOverrides(
  item: YNode,
  canAppend: ReadonlySet<string>,
  canReplace: ReadonlySet<string>,
  ctx: Context,
): { append: Set<string>; replace: Set<string> } {
  const out = { append: new Set<string>(), replace: new Set<string>() };
  const val = getNode(item, 'override');
  if (val === undefined) return out;
  const octx = ctx.child('override', '', at(item));
  for (const [key, { key: kn, value }] of val.map) {
    const op = value.str;
    const kctx = octx.child('override', key, at(kn));
    if (op === 'append') {
      if (!canAppend.has(key)) fail(`Key '${key}' cannot be appended to, use 'replace' instead`, kctx);
      out.append.add(key);
    } else if (op === 'replace') {
      if (!canReplace.has(key)) fail(`Key '${key}' cannot be replaced`, kctx);
      out.replace.add(key);
    } else {
      let m = `Invalid override operation for key '${key}': '${op}'. Allowed values are: `;
      if (canAppend.has(key)) m += 'append ';
      if (canReplace.has(key)) m += 'replace ';
      fail(m, octx.child('value for', key, at(value)));
    }
  }
  return out;
}

const LIST_KEYS = new Set(['list', 'items', 'append', 'override']);
const MACRO_KEYS = new Set(['macro', 'condition', 'append', 'override']);
const RULE_KEYS = new Set([
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'source',
  'enabled',
  'capture',
  'capture_duration',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'tags',
  'exceptions',
  'override',
  'append',
]);
const RULE_APPENDABLE = new Set(['condition', 'output', 'desc', 'tags', 'exceptions']);
const RULE_REPLACEABLE = new Set([
  'condition',
  'output',
  'desc',
  'priority',
  'capture',
  'capture_duration',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
]);

function decodePriority(item: YNode, ctx: Context): Priority {
  const s = decodeVal(item, 'priority', ctx, 'string');
  const p = parsePriority(s);
  if (p === null) fail('Invalid priority', ctx.child('rule priority', '', at(getNode(item, 'priority')!)));
  return p!;
}

function readItem(res: LoadResult, col: Collector, item: YNode, parent: Context): void {
  if (item.kind !== 'map')
    fail(
      'Unexpected element type. Each element should be a yaml associative array.',
      parent.child('rules content item', '', at(item)),
    );
  const has = (k: string): boolean => item.map.has(k);
  if (has('required_engine_version')) {
    const ctx = parent.child('required_engine_version', '', at(item));
    const raw = decodeVal(item, 'required_engine_version', ctx, 'string');
    let v: [number, number, number] | null;
    if (/^\+?\d+$/.test(raw)) v = [0, Number(raw), 0];
    else {
      v = parseSemver(raw);
      if (v === null) {
        throw new RuleLoadError(
          'LOAD_ERR_YAML_VALIDATE',
          `Unable to parse engine version '${raw}' as a semver string. Expected "x.y.z" semver format.`,
          ctx,
        );
      }
    }
    col.defineEngineVersion(v, raw, ctx);
    warnUnknownKeys(res, item, new Set(['required_engine_version']), ctx);
  } else if (has('required_plugin_versions')) {
    const rpv = getNode(item, 'required_plugin_versions')!;
    const ctx = parent.child('required_plugin_versions', '', at(rpv));
    if (rpv.kind !== 'seq') fail('Value of required_plugin_versions must be a sequence', ctx);
    for (const p of rpv.items) {
      const tmp = ctx.child('required_plugin_versions entry', '', at(p));
      if (p.kind !== 'map') fail('Plugin version must be a mapping', tmp);
      const name = decodeVal(p, 'name', tmp, 'string');
      const pctx = ctx.child('required_plugin_versions entry', name, at(p));
      const alts = [{ name, version: decodeVal(p, 'version', pctx, 'string') }];
      const an = getNode(p, 'alternatives');
      if (an !== undefined) {
        if (an.kind !== 'seq') fail('Value of plugin version alternatives must be a sequence', pctx);
        for (const a of an.items) {
          const t2 = pctx.child('required_plugin_versions alternative', '', at(a));
          if (a.kind !== 'map') fail('Plugin version alternative must be a mapping', t2);
          const an2 = decodeVal(a, 'name', t2, 'string');
          const t3 = pctx.child('required_plugin_versions alternative', an2, at(a));
          alts.push({ name: an2, version: decodeVal(a, 'version', t3, 'string') });
        }
      }
      col.definePlugins(alts, pctx);
    }
    warnUnknownKeys(
      res,
      item,
      new Set(['required_plugin_versions']),
      parent.child('required_plugin_versions', '', at(item)),
    );
  } else if (has('list')) {
    const name = decodeVal(item, 'list', parent.child('list', '', at(item)), 'string');
    const ctx = parent.child('list', name, at(item));
    if (!BARESTR.test(name)) {
      res.addWarning(
        'LOAD_INVALID_LIST_NAME',
        'List has an invalid name. List names should match a regular expression: [^()"\'[:space:]=,]+',
        ctx,
      );
    }
    const items = decodeSeq(item, 'items', ctx, false)!;
    const append = decodeVal(item, 'append', ctx, 'bool', true) ?? false;
    if (append) res.addWarning('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
    const ov = decodeOverrides(item, new Set(['items']), new Set(['items']), ctx);
    if (append && ov.append.size + ov.replace.size > 0) fail(ERROR_OVERRIDE_APPEND, ctx);
    const info = { name, ctx, items, index: 0, visibility: 0 };
    if (append || ov.append.has('items')) col.appendList(info, append);
    else col.defineList(info);
    warnUnknownKeys(res, item, LIST_KEYS, ctx);
  } else if (has('macro')) {
    const name = decodeVal(item, 'macro', parent.child('macro', '', at(item)), 'string');
    const ctx = parent.child('macro', name, at(item));
    if (!IDENTIFIER.test(name)) {
      res.addWarning(
        'LOAD_INVALID_MACRO_NAME',
        'Macro has an invalid name. Macro names should match a regular expression: [a-zA-Z]+[a-zA-Z0-9_]*',
        ctx,
      );
    }
    const cond = decodeVal(item, 'condition', ctx, 'string');
    const condCtx = ctx.child('macro condition', '', at(getNode(item, 'condition')!));
    const append = decodeVal(item, 'append', ctx, 'bool', true) ?? false;
    if (append) res.addWarning('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
    const ov = decodeOverrides(item, new Set(['condition']), new Set(['condition']), ctx);
    if (append && ov.append.size + ov.replace.size > 0) fail(ERROR_OVERRIDE_APPEND, ctx);
    const info = { name, ctx, cond, condCtx, index: 0, visibility: 0 };
    if (append || ov.append.has('condition')) col.appendMacro(info, append);
    else col.defineMacro(info);
    warnUnknownKeys(res, item, MACRO_KEYS, ctx);
  } else if (has('rule')) {
    readRule(res, col, item, parent);
  } else {
    res.addWarning('LOAD_UNKNOWN_ITEM', 'Unknown top level item', parent.child('rules content item', '', at(item)));
  }
}

function readRule(res: LoadResult, col: Collector, item: YNode, parent: Context): void {
  const name = decodeVal(item, 'rule', parent.child('rule', '', at(item)), 'string');
  const ctx = parent.child('rule', name, at(item));
  const has = (k: string): boolean => item.map.has(k);
  const srcNode = getNode(item, 'source');
  const source = srcNode !== undefined && srcNode.kind === 'scalar' ? srcNode.str : '';
  const appendFlag = decodeVal(item, 'append', ctx, 'bool', true) ?? false;
  if (appendFlag) res.addWarning('LOAD_DEPRECATED_ITEM', WARNING_APPEND, ctx);
  const ov = decodeOverrides(item, RULE_APPENDABLE, RULE_REPLACEABLE, ctx);
  const hasOv = ov.append.size + ov.replace.size > 0;
  if (appendFlag && hasOv) fail(ERROR_OVERRIDE_APPEND, ctx);
  const condCtxOf = (): Context => ctx.child('rule condition', '', at(getNode(item, 'condition')!));

  if (hasOv) {
    const expected = new Set<string>();
    for (const k of [...RULE_APPENDABLE, ...RULE_REPLACEABLE]) if (has(k)) expected.add(k);
    const take = (set: Set<string>, op: string, key: string): boolean => {
      if (!set.has(key)) return false;
      if (!expected.has(key)) fail(`An ${op} override for '${key}' was specified but '${key}' is not defined`, ctx);
      expected.delete(key);
      return true;
    };
    if (ov.append.size > 0) {
      const u: RuleUpdate = { name, ctx, source: '', legacy: false };
      if (take(ov.append, 'append', 'condition')) {
        u.source = source;
        u.cond = decodeVal(item, 'condition', ctx, 'string');
        u.condCtx = condCtxOf();
      }
      if (take(ov.append, 'append', 'exceptions')) u.exceptions = readExceptions(res, item, ctx, true) ?? [];
      if (take(ov.append, 'append', 'output')) u.output = decodeVal(item, 'output', ctx, 'string');
      if (take(ov.append, 'append', 'desc')) u.desc = decodeVal(item, 'desc', ctx, 'string');
      if (take(ov.append, 'append', 'tags')) u.tags = decodeTags(item, ctx) ?? new Set();
      col.appendRule(u);
    }
    if (ov.replace.size > 0) {
      const u: RuleUpdate = { name, ctx, source: '', legacy: false };
      if (take(ov.replace, 'replace', 'condition')) {
        u.source = source;
        u.cond = decodeVal(item, 'condition', ctx, 'string');
        u.condCtx = condCtxOf();
      }
      if (take(ov.replace, 'replace', 'exceptions')) u.exceptions = readExceptions(res, item, ctx, false) ?? [];
      if (take(ov.replace, 'replace', 'output')) u.output = decodeVal(item, 'output', ctx, 'string').trim();
      if (take(ov.replace, 'replace', 'desc')) u.desc = decodeVal(item, 'desc', ctx, 'string');
      if (take(ov.replace, 'replace', 'tags')) u.tags = decodeTags(item, ctx) ?? new Set();
      if (take(ov.replace, 'replace', 'priority')) u.priority = decodePriority(item, ctx);
      if (take(ov.replace, 'replace', 'capture')) u.capture = decodeVal(item, 'capture', ctx, 'bool');
      if (take(ov.replace, 'replace', 'capture_duration'))
        u.captureDuration = decodeVal(item, 'capture_duration', ctx, 'uint');
      if (take(ov.replace, 'replace', 'enabled')) u.enabled = decodeVal(item, 'enabled', ctx, 'bool');
      if (take(ov.replace, 'replace', 'warn_evttypes')) u.warnEvttypes = decodeVal(item, 'warn_evttypes', ctx, 'bool');
      if (take(ov.replace, 'replace', 'skip-if-unknown-filter'))
        u.skipIfUnknownFilter = decodeVal(item, 'skip-if-unknown-filter', ctx, 'bool');
      col.replaceRule(u);
    }
    for (const key of expected) {
      fail(
        `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
        ctx.child('override', key, at(getNode(item, key)!)),
      );
    }
  } else if (appendFlag) {
    const u: RuleUpdate = { name, ctx, source, legacy: true };
    if (has('condition')) {
      u.cond = decodeVal(item, 'condition', ctx, 'string');
      u.condCtx = condCtxOf();
    }
    if (has('exceptions')) u.exceptions = readExceptions(res, item, ctx, true);
    col.appendRule(u);
  } else if (!has('condition') && !has('output') && !has('desc') && !has('priority')) {
    const enabled = decodeVal(item, 'enabled', ctx, 'bool');
    res.addWarning('LOAD_DEPRECATED_ITEM', WARNING_ENABLED, ctx);
    col.enableRule(name, enabled, ctx);
  } else {
    const cond = decodeVal(item, 'condition', ctx, 'string');
    const condCtx = condCtxOf();
    const output = decodeVal(item, 'output', ctx, 'string').trim();
    const outputCtx = ctx.child('rule output', '', at(getNode(item, 'output')!));
    const desc = decodeVal(item, 'desc', ctx, 'string');
    const priority = decodePriority(item, ctx);
    const info: RuleInfo = {
      name,
      ctx,
      cond,
      condCtx,
      output,
      outputCtx,
      desc,
      priority,
      source: decodeVal(item, 'source', ctx, 'string', true) ?? 'syscall',
      enabled: decodeVal(item, 'enabled', ctx, 'bool', true) ?? true,
      capture: decodeVal(item, 'capture', ctx, 'bool', true) ?? false,
      captureDuration: decodeVal(item, 'capture_duration', ctx, 'uint', true) ?? 0,
      warnEvttypes: decodeVal(item, 'warn_evttypes', ctx, 'bool', true) ?? true,
      skipIfUnknownFilter: decodeVal(item, 'skip-if-unknown-filter', ctx, 'bool', true) ?? false,
      tags: decodeTags(item, ctx) ?? new Set(),
      exceptions: readExceptions(res, item, ctx, false) ?? [],
      unknownSource: false,
      index: 0,
      visibility: 0,
    };
    col.defineRule(info, res);
  }
  warnUnknownKeys(res, item, RULE_KEYS, ctx);
}

/** Reads one rules file into the collector; false (with the error in res) on the first error. */
export function readRules(res: LoadResult, col: Collector): boolean {
  const fctx = Context.file(res.name);
  let docs;
  try {
    docs = parseYamlDocs(res.content);
  } catch (e) {
    if (e instanceof YamlParseError) {
      res.addError(
        'LOAD_ERR_YAML_PARSE',
        e.message,
        fctx.child('rules content', '', { line: e.line, col: e.col, pos: e.pos }),
      );
      return false;
    }
    res.addError('LOAD_ERR_YAML_PARSE', (e as Error).message, fctx);
    return false;
  }
  for (const d of docs) {
    const root = d.root;
    if (root === null || root.kind === 'null') continue;
    try {
      if (root.kind !== 'map' && root.kind !== 'seq') fail('Rules content is not yaml', fctx);
      if (root.kind !== 'seq') fail('Rules content is not yaml array of objects', fctx);
      for (const it of root.items) if (it.kind !== 'null') readItem(res, col, it, fctx);
    } catch (e) {
      if (e instanceof RuleLoadError) {
        res.addError(e.code, e.message, e.ctx);
        return false;
      }
      throw e;
    }
  }
  return true;
}

export type { ItemType };
