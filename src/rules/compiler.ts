/**
 * Stage 3 of rule loading (Falco's rule_loader::compiler): lists substituted into condition
 * text, macros parsed and checked for visibility, exceptions turned into condition text,
 * conditions compiled by the filter compiler (macros expanded as ASTs), outputs validated,
 * event-type sets computed, and Falco's warnings (unused macros/lists, too many event types,
 * deprecated fields, filter compile warnings).
 */
import { astToString, compileAst, parseFilter, FilterError, walk, toByteString } from '../filter';
import type { CompiledFilter, Node, MacroDef } from '../filter';
import type { FieldRegistry } from '../filter/field-api';
import { Template } from '../format/template';
import { InputError } from '../util/errors';
import { Collector, ExceptionInfo, ListInfo, MacroInfo, RuleInfo } from './collector';
import { Context, ItemType, LoadResult, RuleLoadError } from './types';
import type { Priority } from '../alert/priority';

export interface CompiledRule {
  /** position in rule definition order (first-definition order) */
  id: number;
  name: string;
  desc: string;
  priority: Priority;
  source: string;
  /** sorted, deduplicated */
  tags: string[];
  /** `enabled` as loaded (before -D/-t/-T/priority selection) */
  enabled: boolean;
  /** the condition after exceptions and list substitution (what was parsed) */
  condition: string;
  filter: CompiledFilter;
  /** event codes the rule can match (null = every event) */
  eventTypes: Set<number> | null;
  /** the output after %container.info handling, as a byte string */
  output: string;
  exceptionFields: string[];
  info: RuleInfo;
}

export interface CompiledRuleset {
  rules: CompiledRule[];
  macros: { name: string; used: boolean; condition: string }[];
  lists: { name: string; used: boolean; items: string[] }[];
}

const isErrUnknown = (e: string): boolean =>
  e.includes('nonexistent field') ||
  e.includes('invalid formatting token') ||
  e.includes('unknown event type') ||
  e.includes('unknown filter:');

export const DEPRECATED_FIELDS = [
  'evt.dir',
  'evt.latency',
  'evt.latency.s',
  'evt.latency.ns',
  'evt.latency.quantized',
  'evt.latency.human',
  'evt.wait_latency',
];

/** Falco's quote_item: quoted only if it contains a space and does not already start with a quote. */
export function quoteItem(e: string): string {
  return e.includes(' ') && e[0] !== '"' && e[0] !== "'" ? `"${e}"` : e;
}

const BLANKS = ' \t\n\r';
const DELIMS = BLANKS + '(),=';

/** Falco's resolve_list: textual substitution of one list's items; returns [text, used]. */
export function resolveList(cnd: string, name: string, items: readonly string[]): [string, boolean] {
  let used = false;
  let start = cnd.indexOf(name);
  while (start !== -1) {
    let end = start + name.length;
    if ((start === 0 || DELIMS.includes(cnd[start - 1])) && (end >= cnd.length || DELIMS.includes(cnd[end]))) {
      while (start > 0 && BLANKS.includes(cnd[start - 1])) start--;
      while (end < cnd.length && BLANKS.includes(cnd[end])) end++;
      const sub = items.map(quoteItem).join(', ');
      if (sub === '') {
        if (start > 0 && cnd[start - 1] === ',') start--;
        else if (end < cnd.length && cnd[end] === ',') end++;
      }
      let n = '';
      if (start > 0) n += cnd.slice(0, start) + ' ';
      n += sub + ' ';
      if (end <= cnd.length) n += cnd.slice(end);
      cnd = n;
      start += sub.length + 1;
      used = true;
    }
    start = cnd.indexOf(name, start + 1);
  }
  return [cnd, used];
}

const LIST_OPS = new Set(['in', 'intersects', 'pmatch']);

/** Falco's build_rule_exception_infos: `(cond) and not (...)` text. */
export function buildExceptionCondition(
  cond: string,
  exceptions: readonly ExceptionInfo[],
  fields: Set<string>,
  isModifierOp: (op: string) => boolean,
): string {
  let condition = '(' + cond + ')';
  for (const ex of exceptions) {
    let icond = '';
    if (!ex.fields.isList) {
      for (const val of ex.values) {
        if (val.isList)
          throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Expected values array to contain a list of strings', ex.ctx);
        icond += icond === '' ? `(${ex.fields.item} ${ex.comps.item} (` : ', ';
        fields.add(ex.fields.item);
        icond += quoteItem(val.item);
      }
      icond += icond === '' ? '' : '))';
    } else {
      icond = '(';
      for (const values of ex.values) {
        if (ex.fields.items.length !== values.items.length) {
          throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Fields and values lists must have equal length', ex.ctx);
        }
        icond += icond === '(' ? '' : ' or ';
        icond += '(';
        ex.fields.items.forEach((field, k) => {
          icond += k === 0 ? '' : ' and ';
          let istr: string;
          const v = values.items[k];
          const op = ex.comps.items[k].item;
          if (v.isList) {
            istr = '(' + v.items.map((x) => quoteItem(x.item)).join(', ') + ')';
          } else {
            istr = v.item;
            if (LIST_OPS.has(op) || isModifierOp(op)) {
              if (istr[0] !== '(') istr = '(' + istr + ')';
            } else istr = quoteItem(istr);
          }
          icond += ' ' + field.item + ' ' + op + ' ' + istr;
          fields.add(field.item);
        });
        icond += ')';
      }
      icond += ')';
      if (icond === '()') icond = '';
    }
    condition += icond === '' ? '' : ' and not ' + icond;
  }
  return condition;
}

/** Context of a position inside a condition text; the file location tracks the YAML node. */
function textCtx(base: Context, type: ItemType, text: string, pos: number, line: number, col: number): Context {
  return base.inText(type, text, pos, line, col);
}

export interface CompilerOptions {
  registry: FieldRegistry;
  /** the fields of a rule's source when it is not `registry`'s (plugin sources) */
  registryFor?: (source: string) => FieldRegistry | undefined;
  isModifierOp: (op: string) => boolean;
  /** extra text appended to every rule output (Falco's append_output / suggested_output) */
  extraOutput?: string;
  /** text appended to one rule's output after extraOutput (append_output entries that match it) */
  ruleExtraOutput?: (r: { name: string; source: string; tags: readonly string[] }) => string;
}

interface ParsedMacro {
  info: MacroInfo;
  ast: Node;
  text: string;
}

/** Compiles everything collected so far. Errors are thrown as RuleLoadError. */
/** Lists referencing lists copy their items: a chain of lists each naming the previous one
 * several times is a "billion laughs"; no real ruleset comes near this bound. */
const MAX_LIST_ITEMS = 1_000_000;
/** a condition after list substitution (the largest real one is a few KB) */
const MAX_CONDITION_CHARS = 16 * 1024 * 1024;

export function compileCollected(col: Collector, res: LoadResult, opts: CompilerOptions): CompiledRuleset {
  // 1. lists: items that name an earlier list are expanded
  const lists: { info: ListInfo; items: string[]; used: boolean }[] = [];
  const listUsed = new Set<string>();
  for (const l of col.lists.items) {
    const items: string[] = [];
    for (const it of l.items) {
      const ref = col.lists.get(it);
      if (ref && ref.index < l.visibility) {
        listUsed.add(ref.name);
        // a loop, not push(...): a spread of a huge list overflows the stack
        for (const x of ref.items) items.push(x);
      } else items.push(it);
      if (items.length > MAX_LIST_ITEMS) {
        throw new RuleLoadError(
          'LOAD_ERR_VALIDATE',
          `List '${l.name}' is too large: more than ${MAX_LIST_ITEMS} items after expanding the lists it references`,
          l.ctx,
        );
      }
    }
    lists.push({ info: l, items, used: false });
  }
  for (const l of lists) if (listUsed.has(l.info.name)) l.used = true;

  const substitute = (cond: string, ctx: Context): string => {
    for (const l of lists) {
      const [t, used] = resolveList(cond, l.info.name, l.items);
      if (used) {
        cond = t;
        l.used = true;
      }
      if (cond.length > MAX_CONDITION_CHARS) {
        throw new RuleLoadError(
          'LOAD_ERR_COMPILE_CONDITION',
          `Condition too large after substituting list '${l.info.name}' (more than ${MAX_CONDITION_CHARS} characters)`,
          ctx,
        );
      }
    }
    return cond;
  };
  const parse = (cond: string, ctx: Context, type: ItemType): { ast: Node; text: string } => {
    const text = toByteString(substitute(cond, ctx));
    try {
      return { ast: parseFilter(text, { bytes: true, maxDepth: 1000 }).ast, text };
    } catch (e) {
      if (e instanceof FilterError) {
        throw new RuleLoadError(
          'LOAD_ERR_COMPILE_CONDITION',
          e.message,
          textCtx(ctx, type, text, e.pos, e.line, e.column),
        );
      }
      throw e;
    }
  };

  // 2. macros: parsed one by one; references limited to macros defined earlier
  const macros = new Map<string, ParsedMacro>();
  const macroUsed = new Set<string>();
  for (const m of col.macros.items) {
    const p = parse(m.cond, m.condCtx, 'condition expression');
    macros.set(m.name, { info: m, ast: p.ast, text: p.text });
  }
  const checkRefs = (ast: Node, text: string, visibility: number, ctx: Context): void => {
    walk(ast, (n) => {
      if (n.kind !== 'identifier') return;
      const m = macros.get(n.name);
      if (!m || m.info.index >= visibility) {
        const lc = new FilterError('', n.start, text, 'compile');
        throw new RuleLoadError(
          'LOAD_ERR_VALIDATE',
          `Undefined macro '${n.name}' used in filter.`,
          textCtx(ctx, 'condition expression', text, n.start, lc.line, lc.column),
        );
      }
      macroUsed.add(n.name);
    });
  };
  for (const m of macros.values()) checkRefs(m.ast, m.text, m.info.visibility, m.info.condCtx);
  const resolveMacro = (name: string): MacroDef | null => {
    const m = macros.get(name);
    return m ? { ast: m.ast, text: m.text } : null;
  };

  // 3. rules
  const rules: CompiledRule[] = [];
  let id = 0;
  for (const r of col.rules.items) {
    if (r.unknownSource) continue;
    const registry = opts.registryFor?.(r.source) ?? opts.registry;
    const exFields = new Set<string>();
    let condition = r.cond;
    if (r.exceptions.length > 0)
      condition = buildExceptionCondition(condition, r.exceptions, exFields, opts.isModifierOp);

    // output
    let output = r.output;
    if (opts.extraOutput) output = output + ' ' + opts.extraOutput;
    if (opts.ruleExtraOutput) output += opts.ruleExtraOutput({ name: r.name, source: r.source, tags: [...r.tags] });
    if (output.includes('%container.info')) {
      res.addWarning(
        'LOAD_DEPRECATED_ITEM',
        '%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.',
        r.ctx,
      );
      output = output.split('%container.info').join('');
    }
    const outBytes = toByteString(output);
    const outErr = validateOutput(outBytes, registry);
    if (outErr !== null) {
      if (isErrUnknown(outErr) && r.skipIfUnknownFilter) {
        res.addWarning('LOAD_UNKNOWN_FILTER', outErr, r.outputCtx);
        continue;
      }
      throw new RuleLoadError('LOAD_ERR_COMPILE_OUTPUT', outErr, r.outputCtx);
    }
    for (const df of DEPRECATED_FIELDS) {
      if (new RegExp(`%${df.replace(/\./g, '\\.')}(?![a-zA-Z0-9_.])`).test(output)) {
        res.addWarning(
          'LOAD_DEPRECATED_ITEM',
          `usage of deprecated field '${df}' has been detected in the rule output`,
          r.outputCtx,
        );
      }
    }

    // condition
    const p = parse(condition, r.condCtx, 'condition expression');
    checkRefs(p.ast, p.text, Number.MAX_SAFE_INTEGER, r.condCtx);
    let filter: CompiledFilter;
    try {
      filter = compileAst(p.ast, registry, { resolveMacro, maxDepth: 1000 }, p.text);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      const ctx = errorCtx(e, r, p.text, macros);
      if (isErrUnknown(e.message) && r.skipIfUnknownFilter) {
        res.addWarning('LOAD_UNKNOWN_FILTER', e.message, ctx);
        continue;
      }
      throw new RuleLoadError('LOAD_ERR_COMPILE_CONDITION', e.message, ctx);
    }
    for (const w of filter.warnings) {
      const lc = new FilterError('', w.pos, p.text, 'compile');
      res.addWarning(
        'LOAD_COMPILE_CONDITION',
        w.message,
        textCtx(r.condCtx, 'condition expression', p.text, w.pos, lc.line, lc.column),
      );
    }
    const deprecated = new Set<string>();
    walk(filter.expanded, (n) => {
      if (n.kind === 'field' && DEPRECATED_FIELDS.includes(n.field)) deprecated.add(n.field);
    });
    for (const df of deprecated) {
      res.addWarning(
        'LOAD_DEPRECATED_ITEM',
        `usage of deprecated field '${df}' has been detected in the rule condition`,
        r.condCtx,
      );
    }
    const et = filter.eventTypes;
    if (r.source === 'syscall' && r.warnEvttypes && (et === null || et.size > 100)) {
      res.addWarning(
        'LOAD_NO_EVTTYPE',
        'Rule matches too many evt.type values. This has a significant performance penalty.',
        r.ctx,
      );
    }
    rules.push({
      id: id++,
      name: r.name,
      desc: r.desc,
      priority: r.priority,
      source: r.source,
      tags: [...r.tags].sort(),
      enabled: r.enabled,
      condition: p.text,
      filter,
      eventTypes: et,
      output: outBytes,
      exceptionFields: [...exFields].sort(),
      info: r,
    });
  }

  // 4. unused macros and lists
  for (const m of macros.values()) {
    if (!macroUsed.has(m.info.name))
      res.addWarning('LOAD_UNUSED_MACRO', 'Macro not referred to by any other rule/macro', m.info.ctx);
  }
  for (const l of lists) {
    if (!l.used) res.addWarning('LOAD_UNUSED_LIST', 'List not referred to by any other rule/macro', l.info.ctx);
  }
  return {
    rules,
    macros: [...macros.values()].map((m) => ({
      name: m.info.name,
      used: macroUsed.has(m.info.name),
      condition: m.info.cond,
    })),
    lists: lists.map((l) => ({ name: l.info.name, used: l.used, items: l.items })),
  };
}

/**
 * A rule's condition as one filter, macros expanded and lists substituted, with every
 * and/or/not group parenthesised (the grammar sysdig 0.29.3 also reads, which rejects mixed
 * and/or without parentheses).
 */
export function expandedCondition(r: CompiledRule): string {
  return astToString(r.filter.expanded);
}

/** A compile error's context: inside the innermost macro's condition when it came from one. */
function errorCtx(e: FilterError, r: RuleInfo, text: string, macros: Map<string, ParsedMacro>): Context {
  if (e.macroChain.length > 0) {
    const m = macros.get(e.macroChain[e.macroChain.length - 1]);
    if (m) {
      return r.ctx
        .child('macro', m.info.name, {
          line: m.info.ctx.fileLoc().line,
          col: m.info.ctx.fileLoc().col,
          pos: m.info.ctx.fileLoc().pos,
        })
        .inText('condition expression', m.text, e.pos, e.line, e.column);
    }
  }
  return textCtx(r.condCtx, 'condition expression', text, e.pos, e.line, e.column);
}

/** Validates an output format like Falco's formatter; returns Falco's error text or null. */
export function validateOutput(output: string, registry: FieldRegistry): string | null {
  try {
    Template.compile('*' + output, registry);
    return null;
  } catch (e) {
    if (e instanceof InputError) {
      const m = /unknown field '([^']*)'/.exec(e.message);
      if (m) return `invalid formatting token ${m[1]}`;
      return e.message.replace(/^invalid output format at column \d+: /, '');
    }
    throw e;
  }
}
