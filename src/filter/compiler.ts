/**
 * The filter compiler: AST → one closure per node, specialised per operator and value type
 * (libsinsp `sinsp_filter_compiler` + `sinsp_filter_check::compare` + `flt_compare`).
 *
 * Semantics (filter-language.md §5):
 * - A check first extracts its left-hand value; no value ⇒ the check is false whatever the
 *   operator (`!=` and `exists` included). `not` is applied afterwards.
 * - Literals are typed by the left-hand field's type (after transformers), once, here.
 * - List fields: `in` = every value in the set (vacuously true for none), `intersects` = some.
 * - Bindings with `cmp` 'any' / 'endpoints' / 'around' (see field-api.ts) get their own paths.
 * - `val(field)` / transformers on the right are extracted per event; a missing right value
 *   makes the check false.
 *
 * Hot paths allocate nothing for scalar fields: string and numeric checks compare directly,
 * `in` is a Set lookup, regex is a lazily built DFA, glob a precompiled matcher.
 */
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { Node, BinaryCheckNode, TransformerNode } from './ast';
import { FilterError, type FilterWarning } from './errors';
import type { FieldRegistry, FieldType } from './field-api';
import { RegexSyntaxError } from './regex';
import { OP_TEXT, comparableError, parseComparator, type Comparator, type Op } from './operators';
import { ValueError, parseLiteral, type Literal } from './values';
import { EventTypeAnalysisError, eventTypesOf, isKnownEventName } from './evttypes';
import { parseFilter, type ParseOptions } from './parser';
import { andOf, orByEventCode, orOf } from './compile/boolean';
import { constEval, existsEval, fieldEval } from './compile/checks';
import { MAX_COMPILE_DEPTH, MacroExpander, failIn, type MacroCtx, type MacroResolver } from './compile/macros';
import { constPred, makePred2, type Pred, type Pred2 } from './compile/predicates';
import { constSource, fieldSource, toStr, type EvalFn, type Source } from './compile/source';
import { concatTransformer, getoptTransformer, joinTransformer, unaryTransformer } from './compile/transformers';
import { valueWarnings } from './compile/warnings';

export interface CompileOptions extends ParseOptions {
  /** Falco macros: the AST of macro `name`, or null/undefined if undefined. Without it an identifier is an error. */
  resolveMacro?: MacroResolver;
  /**
   * Falco lists: items of list `name`, or null/undefined. Applied to unquoted elements of a
   * `( … )` list and to a bare identifier after in/intersects/pmatch or a modifier
   * (`x in mylist`). (Falco proper substitutes lists textually before parsing; a rules engine
   * that does that needs no resolver.)
   */
  resolveList?: (name: string) => readonly string[] | null | undefined;
  /** Extra names accepted by `evt.type` (plugin async event names). */
  extraEventNames?: Iterable<string>;
}

export interface CompiledFilter {
  match(ev: EventView, st: State): boolean;
  /** Event codes the filter can match; null = all (no evt.type restriction). */
  readonly eventTypes: Set<number> | null;
  /** The AST as parsed (macros not expanded). */
  readonly ast: Node;
  /** The AST with macros expanded (what was compiled). */
  readonly expanded: Node;
  /** libsinsp-style compile warnings. */
  readonly warnings: FilterWarning[];
  /** The byte string that was parsed (error/warning offsets index into it). */
  readonly text: string;
}

const isListOp = (op: Op): boolean => op === 'in' || op === 'intersects' || op === 'pmatch';

class Compiler {
  readonly warnings: FilterWarning[] = [];
  private ctx: MacroCtx;
  private readonly extraNames: ReadonlySet<string> | undefined;
  private depth = 0;
  private readonly fail = (msg: string, pos: number): never => failIn(this.ctx, msg, pos);

  constructor(
    private readonly registry: FieldRegistry,
    private readonly opts: CompileOptions,
    text: string,
    /** the context of each expanded macro's root (MacroExpander.contexts) */
    private readonly macroCtx: ReadonlyMap<Node, MacroCtx> = new Map(),
  ) {
    this.ctx = { chain: [], text };
    this.extraNames = opts.extraEventNames ? new Set(opts.extraEventNames) : undefined;
  }

  // ---- boolean structure ----------------------------------------------------------------------

  compile(n: Node): EvalFn {
    const m = this.macroCtx.get(n);
    const saved = this.ctx;
    if (m) this.ctx = m;
    if (++this.depth > MAX_COMPILE_DEPTH) this.fail('exceeded max depth limit', n.start);
    try {
      switch (n.kind) {
        case 'and':
          return andOf(n.children.map((c) => this.compile(c)));
        case 'or': {
          const fs = n.children.map((c) => this.compile(c));
          return (fs.length >= 4 ? orByEventCode(n.children, fs) : null) ?? orOf(fs);
        }
        case 'not': {
          const f = this.compile(n.child);
          return (ev, st) => !f(ev, st);
        }
        case 'unary':
          return existsEval(this.source(n.left));
        case 'binary':
          return this.compileBinary(n);
        case 'identifier':
          return this.fail(`unexpected identifier '${n.name}'`, n.start);
        default:
          return this.fail(`unexpected ${n.kind} expression in filter`, n.start);
      }
    } finally {
      this.depth--;
      this.ctx = saved;
    }
  }

  // ---- sources --------------------------------------------------------------------------------

  source(n: Node): Source {
    switch (n.kind) {
      case 'field':
        return fieldSource(this.registry, n.field, n.arg, n.start, this.fail);
      case 'value':
        return constSource(n.value, false);
      case 'transformer_list': {
        const elems = n.children.map((c) => this.source(c));
        const getters = elems.map((e) => e.get);
        return {
          ...constSource(null, true),
          get: (ev, st) => {
            const out: (string | number)[] = [];
            for (const g of getters) {
              const v = g(ev, st);
              if (v === null) return null;
              if (Array.isArray(v)) for (const x of v) out.push(x);
              else out.push(typeof v === 'number' ? v : toStr(v));
            }
            return out;
          },
        };
      }
      case 'transformer':
        return this.transformerSource(n);
      default:
        return this.fail(`unexpected ${n.kind} expression where a field was expected`, n.start);
    }
  }

  private transformerSource(n: TransformerNode): Source {
    const name = n.name;
    if (name === 'val') {
      if (n.arg !== null) this.fail("transformer 'val' does not support field arguments", n.start);
      return this.source(n.args[0]);
    }
    if (n.args.length === 1 && name !== 'join' && name !== 'concat' && name !== 'getopt') {
      if (n.arg !== null) this.fail(`transformer '${name}' does not support field arguments`, n.start);
      return unaryTransformer(name, this.source(n.args[0]), n.start, this.fail);
    }
    const args = n.args.map((a) => this.source(a));
    switch (name) {
      case 'join':
        return joinTransformer(args, n, this.fail);
      case 'concat':
        return concatTransformer(args, n, this.fail);
      case 'getopt':
        return getoptTransformer(args, n, this.fail);
      default:
        return this.fail(`unknown multivalue transformer '${name}'`, n.start);
    }
  }

  // ---- checks ---------------------------------------------------------------------------------

  private compileBinary(n: BinaryCheckNode): EvalFn {
    let cmp: Comparator;
    try {
      cmp = parseComparator(n.op);
    } catch (e) {
      return this.fail((e as Error).message, n.start);
    }
    const L = this.source(n.left);
    const err = comparableError(cmp, L.type, L.isList, L.ptype);
    if (err) this.fail(err, n.start);
    if (L.mode === 'around' && cmp.op !== 'eq') this.fail("evt.around supports only '=' comparison operator", n.start);
    const r = n.right;
    if (r.kind === 'value' || r.kind === 'list') return this.constCheck(n, cmp, L);
    return this.fieldCheck(n, cmp, L);
  }

  /** The raw right-hand strings, with Falco list references resolved. */
  private rawValues(n: BinaryCheckNode, cmp: Comparator): string[] {
    const r = n.right;
    const rl = this.opts.resolveList;
    const listy = isListOp(cmp.op) || cmp.mod !== null;
    if (r.kind === 'value') {
      if (rl && listy && !r.quoted) {
        const items = rl(r.value);
        if (items) return [...items];
      }
      return [r.value];
    }
    if (r.kind !== 'list') return [];
    if (!rl) return r.values;
    const out: string[] = [];
    r.values.forEach((v, i) => {
      const items = r.quoted[i] ? null : rl(v);
      if (items) out.push(...items);
      else out.push(v);
    });
    return out;
  }

  private constCheck(n: BinaryCheckNode, cmp: Comparator, L: Source): EvalFn {
    const raws = this.rawValues(n, cmp);
    const rpos = n.right.start;
    for (const v of raws) valueWarnings(this.registry, cmp, rpos, v, this.warnings);
    if (L.plainField === 'evt.type' && n.left.kind === 'field') {
      for (const v of raws) {
        if (!isKnownEventName(v, this.extraNames)) this.fail(`unknown event type ${v}`, rpos);
      }
    }
    const hex = cmp.op === 'bcontains' || cmp.op === 'bstartswith';
    const ptypeForLit = L.mode === 'around' ? 'UINT64' : L.ptype;
    const typeForLit: FieldType = L.mode === 'around' ? 'uint' : L.type;
    const lits: Literal[] = [];
    for (const v of raws) {
      try {
        lits.push(parseLiteral(v, typeForLit, ptypeForLit, hex));
      } catch (e) {
        if (e instanceof ValueError) this.fail(e.message, rpos);
        throw e;
      }
    }
    let pred: Pred;
    try {
      pred = constPred(L.type, cmp, lits, raws);
    } catch (e) {
      if (e instanceof RegexSyntaxError) this.fail(`invalid regex pattern: ${e.message}`, rpos);
      if (e instanceof Error) this.fail(e.message, n.start);
      throw e;
    }
    return constEval(L, cmp, pred, lits);
  }

  /** Field-to-field comparison (val(x) or a transformer on the right). */
  private fieldCheck(n: BinaryCheckNode, cmp: Comparator, L: Source): EvalFn {
    const r = n.right;
    if (cmp.op === 'pmatch' || cmp.op === 'regex') {
      this.fail(`operator '${OP_TEXT[cmp.op]}' doesn't support right-hand side fields`, r.start);
    }
    if (L.type === 'ipnet') this.fail("field type 'IPNET' doesn't support right-hand side fields", r.start);
    if (L.noRhs) this.fail(`field '${L.name}' doesn't support right-hand side fields`, r.start);
    const R = this.source(r);
    if (R.noRhs) this.fail(`field '${R.name}' can't be used as a right-hand side field`, r.start);
    if (R.mode !== 'scalar') this.fail(`field '${R.name}' can't be used as a right-hand side field`, r.start);
    if (L.ptype !== R.ptype || L.isList !== R.isList) {
      this.fail(
        `field '${L.name}' has type '${L.ptype}${L.isList ? ' (list)' : ''}' while the right-hand side field '` +
          `${R.name}' has incompatible type '${R.ptype}${R.isList ? ' (list)' : ''}'`,
        r.start,
      );
    }
    let p2: Pred2;
    try {
      p2 = makePred2(L.type, cmp.op);
    } catch (e) {
      return this.fail((e as Error).message, n.start);
    }
    return fieldEval(L, R, cmp, p2);
  }
}

/**
 * Compiles an already parsed AST. `text` is the byte string it was parsed from (for error
 * line/columns).
 */
export function compileAst(ast: Node, registry: FieldRegistry, opts: CompileOptions = {}, text = ''): CompiledFilter {
  const m = new MacroExpander(opts.resolveMacro, text);
  const c = new Compiler(registry, opts, text, m.contexts);
  let expanded: Node;
  let match: EvalFn;
  try {
    expanded = m.expand(ast);
    match = c.compile(expanded);
  } catch (e) {
    if (e instanceof RangeError) throw new FilterError('exceeded max depth limit', 0, text, 'compile');
    throw e;
  }
  let eventTypes: Set<number> | null;
  try {
    eventTypes = eventTypesOf(expanded);
  } catch (e) {
    if (e instanceof EventTypeAnalysisError) throw new FilterError(e.message, e.pos, text, 'compile');
    throw e;
  }
  return { match, eventTypes, ast, expanded, warnings: c.warnings, text };
}

/**
 * Parses and compiles a filter. `text` is Unicode (e.g. from argv; converted to UTF-8 bytes)
 * unless `opts.bytes`. Throws FilterError on any parse or compile error.
 */
export function compileFilter(text: string, registry: FieldRegistry, opts: CompileOptions = {}): CompiledFilter {
  const p = parseFilter(text, opts);
  return compileAst(p.ast, registry, opts, p.text);
}

/**
 * Compiles a field or transformer expression (e.g. `tolower(proc.name)`) to a value source,
 * for output templates that accept transformers.
 */
export function compileValueExpr(node: Node, registry: FieldRegistry, text = ''): Source {
  return new Compiler(registry, {}, text).source(node);
}
