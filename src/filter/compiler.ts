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
import type { Node, BinaryCheckNode, UnaryCheckNode, TransformerNode } from './ast';
import { FilterError, type FilterWarning } from './errors';
import { FieldError, type BoundField, type FieldRegistry, type FieldType, type FieldValue } from './field-api';
import { compileGlob, type GlobMatcher } from './glob';
import { compileRegex, RegexSyntaxError } from './regex';
import {
  OP_TEXT,
  PathPrefixSearch,
  asciiLower,
  asciiUpper,
  comparableError,
  includesAsciiCI,
  parseComparator,
  type Comparator,
  type Op,
} from './operators';
import { ValueError, inNet, normNum, parseLiteral, type IpNet, type Literal, type Num } from './values';
import { EventTypeAnalysisError, childrenByEventCode, eventTypesOf, isKnownEventName } from './evttypes';
import { parseFilter, type ParseOptions } from './parser';
import { supportedTransformers } from './lexer';

export type EvalFn = (ev: EventView, st: State) => boolean;

/** A macro body: a parsed condition, optionally with the text it was parsed from (for error line/column). */
export interface MacroDef {
  ast: Node;
  text?: string;
}

export interface CompileOptions extends ParseOptions {
  /** Falco macros: the AST of macro `name`, or null/undefined if undefined. Without it an identifier is an error. */
  resolveMacro?: (name: string) => Node | MacroDef | null | undefined;
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

// ------------------------------------------------------------------------------------------------
// value sources (fields, transformers, constants)

type Mode = 'scalar' | 'any' | 'endpoints' | 'around';
type Getter = (ev: EventView, st: State) => FieldValue;

/** A compiled left/right-hand expression. */
export interface Source {
  /** field name (libsinsp m_name) for messages */
  readonly name: string;
  readonly type: FieldType;
  /** upper-case ppm type name (CHARBUF, INT64, …) */
  readonly ptype: string;
  readonly isList: boolean;
  readonly mode: Mode;
  readonly noRhs: boolean;
  readonly noTransformer: boolean;
  /** the plain field name when the source is an untransformed field */
  readonly plainField: string | null;
  /** scalar or list value; for 'around' the distance */
  readonly get: Getter;
  /** candidates for 'any' / 'endpoints' */
  readonly values: ((ev: EventView, st: State) => FieldValue[] | null) | null;
}

const DEFAULT_PTYPE: Record<FieldType, string> = {
  string: 'CHARBUF',
  int: 'INT64',
  uint: 'UINT64',
  bool: 'BOOL',
  ipaddr: 'IPADDR',
  ipnet: 'IPNET',
  port: 'PORT',
  bytebuf: 'BYTEBUF',
  reltime: 'RELTIME',
  abstime: 'ABSTIME',
  double: 'DOUBLE',
};

const normPtype = (p: string | undefined, t: FieldType): string =>
  p ? p.toUpperCase().replace(/^PT_/, '') : DEFAULT_PTYPE[t];

function constSource(value: FieldValue, isList: boolean): Source {
  return {
    name: 'INTERNAL',
    type: 'string',
    ptype: 'CHARBUF',
    isList,
    mode: 'scalar',
    noRhs: false,
    noTransformer: false,
    plainField: null,
    get: () => value,
    values: null,
  };
}

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

const toStr = (v: string | number | bigint | boolean | Buffer): string =>
  typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);

// ------------------------------------------------------------------------------------------------
// predicates on typed values

type Pred = (v: FieldValue) => boolean;
type Pred2 = (v: FieldValue, r: FieldValue) => boolean;

const toBool = (v: FieldValue): boolean => v === true || v === 1;
const asBuf = (v: FieldValue): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1'));
const numKey = (v: FieldValue): FieldValue => (typeof v === 'bigint' ? normNum(v) : v);

function bufEq(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}

/** Set-membership test for in / intersects / `= anyof` (values already typed). */
function makeHas(type: FieldType, lits: Literal[]): Pred {
  switch (type) {
    case 'string': {
      const s = new Set(lits as string[]);
      return (v) => s.has(v as string);
    }
    case 'bool': {
      const s = new Set(lits as boolean[]);
      return (v) => s.has(toBool(v));
    }
    case 'ipaddr': {
      const v4 = new Set<number>();
      const v6: Buffer[] = [];
      for (const l of lits as Buffer[])
        if (l.length === 4) v4.add(l.readUInt32BE(0));
        else v6.push(l);
      return (v) => {
        const b = v as Buffer;
        if (b.length === 4) return v4.has(b.readUInt32BE(0));
        for (const x of v6) if (bufEq(b, x)) return true;
        return false;
      };
    }
    case 'ipnet': {
      const nets = lits as IpNet[];
      return (v) => {
        for (const n of nets) if (inNet(v as Buffer, n)) return true;
        return false;
      };
    }
    case 'bytebuf': {
      const bufs = lits as Buffer[];
      return (v) => {
        const b = asBuf(v);
        for (const x of bufs) if (bufEq(b, x)) return true;
        return false;
      };
    }
    default: {
      const s = new Set<FieldValue>(lits as Num[]);
      return (v) => s.has(numKey(v));
    }
  }
}

/** Predicate of one operator against one literal (v is never null). */
function makePred(type: FieldType, op: Op, lit: Literal, raw: string): Pred {
  switch (type) {
    case 'string': {
      const a = lit as string;
      switch (op) {
        case 'eq':
          return (v) => v === a;
        case 'ne':
          return (v) => v !== a;
        case 'lt':
          return (v) => (v as string) < a;
        case 'le':
          return (v) => (v as string) <= a;
        case 'gt':
          return (v) => (v as string) > a;
        case 'ge':
          return (v) => (v as string) >= a;
        case 'contains':
          return (v) => (v as string).includes(a);
        case 'icontains': {
          const l = asciiLower(a);
          return (v) => includesAsciiCI(v as string, l);
        }
        case 'startswith':
          return (v) => (v as string).startsWith(a);
        case 'endswith':
          return (v) => (v as string).endsWith(a);
        case 'glob': {
          const m = compileGlob(a, false);
          return (v) => m(v as string);
        }
        case 'iglob': {
          const m = compileGlob(a, true);
          return (v) => m(v as string);
        }
        case 'regex': {
          const m = compileRegex(raw);
          return (v) => m(v as string);
        }
        default:
          break;
      }
      break;
    }
    case 'bytebuf': {
      const a = lit as Buffer;
      const n = a.length;
      switch (op) {
        case 'eq':
          return (v) => bufEq(asBuf(v), a);
        case 'ne':
          return (v) => !bufEq(asBuf(v), a);
        case 'contains':
        case 'bcontains':
          return (v) => asBuf(v).indexOf(a) !== -1;
        case 'startswith':
        case 'bstartswith':
          return (v) => {
            const b = asBuf(v);
            return b.length >= n && a.compare(b, 0, n) === 0;
          };
        case 'endswith':
          return (v) => {
            const b = asBuf(v);
            return b.length >= n && a.compare(b, b.length - n) === 0;
          };
        default:
          break;
      }
      break;
    }
    case 'bool': {
      const a = lit as boolean;
      if (op === 'eq') return (v) => toBool(v) === a;
      if (op === 'ne') return (v) => toBool(v) !== a;
      break;
    }
    case 'ipaddr': {
      const a = lit as Buffer;
      if (a.length === 4) {
        const u = a.readUInt32BE(0);
        if (op === 'eq') return (v) => (v as Buffer).length === 4 && (v as Buffer).readUInt32BE(0) === u;
        if (op === 'ne') return (v) => !((v as Buffer).length === 4 && (v as Buffer).readUInt32BE(0) === u);
      } else {
        if (op === 'eq') return (v) => bufEq(v as Buffer, a);
        if (op === 'ne') return (v) => !bufEq(v as Buffer, a);
      }
      break;
    }
    case 'ipnet': {
      const n = lit as IpNet;
      if (op === 'eq') return (v) => inNet(v as Buffer, n);
      if (op === 'ne') return (v) => !inNet(v as Buffer, n);
      break;
    }
    default: {
      // numeric: loose comparisons are exact across number/bigint
      const a = lit as Num;
      switch (op) {
        case 'eq':
          return (v) => v == a;
        case 'ne':
          return (v) => v != a;
        case 'lt':
          return (v) => (v as Num) < a;
        case 'le':
          return (v) => (v as Num) <= a;
        case 'gt':
          return (v) => (v as Num) > a;
        case 'ge':
          return (v) => (v as Num) >= a;
        default:
          break;
      }
    }
  }
  throw new Error(`'${OP_TEXT[op]}' operator not supported for type ${type}`);
}

/** Predicate comparing two extracted values of the same type (val() / transformer RHS). */
function makePred2(type: FieldType, op: Op): Pred2 {
  switch (type) {
    case 'string': {
      let lastPat: string | null = null;
      let lastM: GlobMatcher | null = null;
      const glob =
        (fold: boolean): Pred2 =>
        (v, r) => {
          if (r !== lastPat) {
            lastPat = r as string;
            lastM = compileGlob(lastPat, fold);
          }
          return lastM!(v as string);
        };
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => v === r;
        case 'ne':
          return (v, r) => v !== r;
        case 'lt':
          return (v, r) => (v as string) < (r as string);
        case 'le':
          return (v, r) => (v as string) <= (r as string);
        case 'gt':
          return (v, r) => (v as string) > (r as string);
        case 'ge':
          return (v, r) => (v as string) >= (r as string);
        case 'contains':
          return (v, r) => (v as string).includes(r as string);
        case 'icontains':
          return (v, r) => includesAsciiCI(v as string, asciiLower(r as string));
        case 'startswith':
          return (v, r) => (v as string).startsWith(r as string);
        case 'endswith':
          return (v, r) => (v as string).endsWith(r as string);
        case 'glob':
          return glob(false);
        case 'iglob':
          return glob(true);
        default:
          break;
      }
      break;
    }
    case 'bytebuf':
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => bufEq(asBuf(v), asBuf(r));
        case 'ne':
          return (v, r) => !bufEq(asBuf(v), asBuf(r));
        case 'contains':
        case 'bcontains':
          return (v, r) => asBuf(v).indexOf(asBuf(r)) !== -1;
        case 'startswith':
        case 'bstartswith':
          return (v, r) => {
            const b = asBuf(v);
            const a = asBuf(r);
            return b.length >= a.length && a.compare(b, 0, a.length) === 0;
          };
        case 'endswith':
          return (v, r) => {
            const b = asBuf(v);
            const a = asBuf(r);
            return b.length >= a.length && a.compare(b, b.length - a.length) === 0;
          };
        default:
          break;
      }
      break;
    case 'bool':
      if (op === 'eq' || op === 'in' || op === 'intersects') return (v, r) => toBool(v) === toBool(r);
      if (op === 'ne') return (v, r) => toBool(v) !== toBool(r);
      break;
    case 'ipaddr':
      if (op === 'eq' || op === 'in' || op === 'intersects') return (v, r) => bufEq(v as Buffer, r as Buffer);
      if (op === 'ne') return (v, r) => !bufEq(v as Buffer, r as Buffer);
      break;
    case 'ipnet':
      break;
    default:
      switch (op) {
        case 'eq':
        case 'in':
        case 'intersects':
          return (v, r) => v == r;
        case 'ne':
          return (v, r) => v != r;
        case 'lt':
          return (v, r) => (v as Num) < (r as Num);
        case 'le':
          return (v, r) => (v as Num) <= (r as Num);
        case 'gt':
          return (v, r) => (v as Num) > (r as Num);
        case 'ge':
          return (v, r) => (v as Num) >= (r as Num);
        default:
          break;
      }
  }
  throw new Error(`'${OP_TEXT[op]}' operator not supported for type ${type}`);
}

// ------------------------------------------------------------------------------------------------
// the compiler

interface Ctx {
  /** macro names, outermost first */
  chain: string[];
  /** the text positions refer to ('' if unknown) */
  text: string;
}

const isListOp = (op: Op): boolean => op === 'in' || op === 'intersects' || op === 'pmatch';
const FIELD_LIKE = /^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+(\[[^\]]*\])?$/;
const MAX_COMPILE_DEPTH = 20000;
/**
 * Macro expansion copies each use: a chain of macros each using the previous one twice is a
 * "billion laughs" (2^n nodes). Real rules expand to a few thousand nodes at most.
 */
const MAX_EXPANDED_NODES = 100000;
/** list elements copied by macro expansion (a large list in a macro used many times) */
const MAX_EXPANDED_VALUES = 2000000;

class Compiler {
  readonly warnings: FilterWarning[] = [];
  private ctx: Ctx;
  private readonly macroCtx = new Map<Node, Ctx>();
  private readonly extraNames: ReadonlySet<string> | undefined;
  private depth = 0;
  private expanded = 0;
  private expandedValues = 0;

  constructor(
    private readonly registry: FieldRegistry,
    private readonly opts: CompileOptions,
    text: string,
  ) {
    this.ctx = { chain: [], text };
    this.extraNames = opts.extraEventNames ? new Set(opts.extraEventNames) : undefined;
  }

  fail(msg: string, pos: number): never {
    throw new FilterError(msg, pos, this.ctx.text, 'compile', [...this.ctx.chain]);
  }

  // ---- macro expansion ------------------------------------------------------------------------

  expand(n: Node): Node {
    if (++this.depth > MAX_COMPILE_DEPTH) this.fail('exceeded max depth limit while expanding macros', n.start);
    if (this.ctx.chain.length > 0) {
      if (n.kind === 'binary' && n.right.kind === 'list') this.expandedValues += n.right.values.length;
      if (++this.expanded > MAX_EXPANDED_NODES || this.expandedValues > MAX_EXPANDED_VALUES) {
        const chain = this.ctx.chain;
        const what =
          this.expanded > MAX_EXPANDED_NODES ? `${MAX_EXPANDED_NODES} nodes` : `${MAX_EXPANDED_VALUES} list values`;
        this.fail(
          `filter too large after macro expansion (more than ${what}): macro '${chain[chain.length - 1]}' ` +
            `is expanded too many times (via ${chain.join(' -> ')})`,
          n.start,
        );
      }
    }
    try {
      switch (n.kind) {
        case 'and':
        case 'or': {
          let changed = false;
          const children = n.children.map((c) => {
            const e = this.expand(c);
            if (e !== c) changed = true;
            return e;
          });
          return changed ? { ...n, children } : n;
        }
        case 'not': {
          const c = this.expand(n.child);
          return c === n.child ? n : { ...n, child: c };
        }
        case 'identifier':
          return this.expandMacro(n.name, n.start);
        default:
          return n;
      }
    } finally {
      this.depth--;
    }
  }

  private expandMacro(name: string, pos: number): Node {
    const resolve = this.opts.resolveMacro;
    if (!resolve) this.fail(`unexpected identifier '${name}'`, pos);
    if (this.ctx.chain.includes(name)) this.fail(`reference loop in macro '${name}'`, pos);
    const def = resolve(name);
    if (!def) this.fail(`Undefined macro '${name}' used in filter.`, pos);
    const ast = 'kind' in def ? def : def.ast;
    const text = 'kind' in def ? '' : (def.text ?? '');
    const saved = this.ctx;
    const inner: Ctx = { chain: [...saved.chain, name], text };
    this.ctx = inner;
    try {
      const e = this.expand(ast);
      const copy = { ...e }; // fresh identity: one context per expansion site
      this.macroCtx.set(copy, inner);
      return copy;
    } finally {
      this.ctx = saved;
    }
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
          return this.compileUnary(n);
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
        return this.fieldSource(n.field, n.arg, n.start);
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

  private fieldSource(name: string, arg: string | null, pos: number): Source {
    let b: BoundField;
    try {
      b = this.registry.bind(name, arg);
    } catch (e) {
      if (e instanceof FieldError || e instanceof Error) this.fail(e.message, pos);
      throw e;
    }
    const info = b.info;
    const mode: Mode = b.cmp ?? 'scalar';
    let values: Source['values'] = null;
    if (mode === 'any' || mode === 'endpoints') {
      if (b.values) values = b.values.bind(b);
      else
        values = (ev, st) => {
          const v = b.extract(ev, st);
          return v === null ? null : Array.isArray(v) ? v : [v];
        };
    }
    return {
      name: info.name,
      type: info.type,
      ptype: normPtype(info.ptype, info.type),
      isList: info.isList,
      mode,
      noRhs: info.noRhs === true,
      noTransformer: info.noTransformer === true || mode !== 'scalar',
      plainField: info.name,
      get: (ev, st) => b.extract(ev, st),
      values,
    };
  }

  private transformerSource(n: TransformerNode): Source {
    const name = n.name;
    if (name === 'val') {
      if (n.arg !== null) this.fail("transformer 'val' does not support field arguments", n.start);
      return this.source(n.args[0]);
    }
    if (n.args.length === 1 && name !== 'join' && name !== 'concat' && name !== 'getopt') {
      if (n.arg !== null) this.fail(`transformer '${name}' does not support field arguments`, n.start);
      return this.unaryTransformer(name, this.source(n.args[0]), n.start);
    }
    const args = n.args.map((a) => this.source(a));
    switch (name) {
      case 'join':
        return this.joinTransformer(args, n);
      case 'concat':
        return this.concatTransformer(args, n);
      case 'getopt':
        return this.getoptTransformer(args, n);
      default:
        return this.fail(`unknown multivalue transformer '${name}'`, n.start);
    }
  }

  private unaryTransformer(name: string, src: Source, pos: number): Source {
    if (src.noTransformer) this.fail(`field '${src.name}' does not support transformers`, pos);
    const bad = (): never =>
      this.fail(
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
        if (src.isList) {
          return {
            ...src,
            type: 'uint',
            ptype: 'UINT64',
            isList: false,
            plainField: null,
            get: (ev, st) => {
              const v = g(ev, st);
              return Array.isArray(v) ? v.length : v === null ? null : 1;
            },
          };
        }
        if (src.type === 'string') {
          return {
            ...src,
            type: 'uint',
            ptype: 'UINT64',
            plainField: null,
            get: (ev, st) => {
              const v = g(ev, st);
              if (v === null) return null;
              const s = v as string;
              const z = s.indexOf('\0');
              return z < 0 ? s.length : z;
            },
          };
        }
        if (src.type === 'bytebuf') {
          return {
            ...src,
            type: 'uint',
            ptype: 'UINT64',
            plainField: null,
            get: (ev, st) => {
              const v = g(ev, st);
              return v === null ? null : asBuf(v).length;
            },
          };
        }
        return bad();
      }
      default:
        return this.fail(`transformer '${name}' is not supported`, pos);
    }
  }

  private joinTransformer(args: Source[], n: TransformerNode): Source {
    if (n.arg !== null) this.fail("transformer 'join' does not support field arguments", n.start);
    if (args.length !== 2) this.fail('join() requires exactly 2 arguments: separator and list', n.start);
    if (args[0].isList) this.fail('join() first argument (separator) must be a single value, not a list', n.start);
    if (!args[1].isList) this.fail('join() second argument must be a list', n.start);
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

  private concatTransformer(args: Source[], n: TransformerNode): Source {
    if (n.arg !== null) this.fail("transformer 'concat' does not support field arguments", n.start);
    if (args.length < 2) this.fail('concat() requires at least 2 arguments', n.start);
    for (const a of args) if (a.type !== 'string' || a.isList) this.fail('concat() arguments must be strings', n.start);
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

  private getoptTransformer(args: Source[], n: TransformerNode): Source {
    if (args.length !== 2) this.fail('getopt() requires exactly 2 arguments: args list and optstring', n.start);
    if (!args[0].isList) this.fail('getopt() first argument must be a list', n.start);
    if (args[1].isList) this.fail('getopt() second argument (optstring) must be a single value', n.start);
    if (args[0].type !== 'string' || args[1].type !== 'string')
      this.fail('getopt() arguments must be strings', n.start);
    if (n.arg !== null && n.arg.length !== 1)
      this.fail('getopt() field argument must be a single option character', n.start);
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

  private compileUnary(n: UnaryCheckNode): EvalFn {
    const L = this.source(n.left);
    const g = L.get;
    if (L.values) {
      const vs = L.values;
      return (ev, st) => {
        const a = vs(ev, st);
        return a !== null && a.length > 0;
      };
    }
    return (ev, st) => g(ev, st) !== null;
  }

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
    for (const v of raws) this.valueWarnings(cmp, rpos, v);
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
      pred = this.constPred(L.type, cmp, lits, raws);
    } catch (e) {
      if (e instanceof RegexSyntaxError) this.fail(`invalid regex pattern: ${e.message}`, rpos);
      if (e instanceof Error) this.fail(e.message, n.start);
      throw e;
    }
    return this.wrap(L, cmp, pred, lits);
  }

  /** Predicate on one (non-null, scalar) value against the literal(s). */
  private constPred(type: FieldType, cmp: Comparator, lits: Literal[], raws: string[]): Pred {
    const op = cmp.op;
    if (cmp.mod !== null) {
      if (lits.length === 0) return () => false;
      if (cmp.mod === 'anyof' && op === 'eq') return makeHas(type, lits);
      if (cmp.mod === 'allof' && op === 'ne') {
        const h = makeHas(type, lits);
        return (v) => !h(v);
      }
      const preds = lits.map((l, i) => makePred(type, op, l, raws[i]));
      const k = preds.length;
      switch (cmp.mod) {
        case 'anyof':
          return (v) => {
            for (let i = 0; i < k; i++) if (preds[i](v)) return true;
            return false;
          };
        case 'allof':
          return (v) => {
            for (let i = 0; i < k; i++) if (!preds[i](v)) return false;
            return true;
          };
        case 'oneof':
          return (v) => {
            let c = 0;
            for (let i = 0; i < k; i++) if (preds[i](v) && ++c > 1) return false;
            return c === 1;
          };
      }
    }
    if (op === 'in' || op === 'intersects') return makeHas(type, lits);
    if (op === 'pmatch') {
      const t = new PathPrefixSearch();
      for (const l of lits) t.add(l as string);
      return (v) => t.match(v as string);
    }
    if (lits.length !== 1) throw new Error(`operator '${OP_TEXT[op]}' expects a single value`);
    return makePred(type, op, lits[0], raws[0]);
  }

  /** Applies a value predicate according to the source's shape (scalar, list, candidates, around). */
  private wrap(L: Source, cmp: Comparator, pred: Pred, lits: Literal[]): EvalFn {
    const g = L.get;
    if (L.mode === 'around') {
      const d = lits[0] as Num;
      return (ev, st) => {
        const v = g(ev, st);
        return v !== null && (v as Num) <= d;
      };
    }
    if (L.values) {
      const vs = L.values;
      if (L.mode === 'endpoints' && cmp.op === 'ne' && cmp.mod === null) {
        return (ev, st) => {
          const a = vs(ev, st);
          if (a === null || a.length === 0) return false;
          for (let i = 0; i < a.length; i++) if (a[i] === null || !pred(a[i])) return false;
          return true;
        };
      }
      return (ev, st) => {
        const a = vs(ev, st);
        if (a === null) return false;
        for (let i = 0; i < a.length; i++) if (a[i] !== null && pred(a[i])) return true;
        return false;
      };
    }
    if (L.isList) {
      if (cmp.op === 'in') {
        return (ev, st) => {
          const a = g(ev, st) as FieldValue[] | null;
          if (a === null) return false;
          for (let i = 0; i < a.length; i++) if (!pred(a[i])) return false;
          return true;
        };
      }
      return (ev, st) => {
        const a = g(ev, st) as FieldValue[] | null;
        if (a === null) return false;
        for (let i = 0; i < a.length; i++) if (pred(a[i])) return true;
        return false;
      };
    }
    // scalar: specialise the hottest shapes so the literal is compared inline
    if (cmp.mod === null && lits.length === 1) {
      const a = lits[0];
      if (L.type === 'string') {
        const s = a as string;
        switch (cmp.op) {
          case 'eq':
            return (ev, st) => g(ev, st) === s;
          case 'ne':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && v !== s;
            };
          case 'startswith':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as string).startsWith(s);
            };
          case 'contains':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as string).includes(s);
            };
          case 'endswith':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as string).endsWith(s);
            };
          default:
            break;
        }
      } else if (typeof a === 'number') {
        switch (cmp.op) {
          case 'eq':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && v == a;
            };
          case 'ne':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && v != a;
            };
          case 'lt':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as Num) < a;
            };
          case 'le':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as Num) <= a;
            };
          case 'gt':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as Num) > a;
            };
          case 'ge':
            return (ev, st) => {
              const v = g(ev, st);
              return v !== null && (v as Num) >= a;
            };
          default:
            break;
        }
      }
    }
    if ((cmp.op === 'in' || cmp.op === 'intersects') && L.type === 'string' && cmp.mod === null) {
      const set = new Set(lits as string[]);
      return (ev, st) => {
        const v = g(ev, st);
        return v !== null && set.has(v as string);
      };
    }
    return (ev, st) => {
      const v = g(ev, st);
      return v !== null && pred(v);
    };
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
    const lg = L.get;
    const rg = R.get;
    const member = cmp.op === 'in' || cmp.op === 'intersects';
    // value vs right-hand value(s)
    const one = (v: FieldValue, rv: FieldValue): boolean => {
      if (member) {
        if (Array.isArray(rv)) {
          for (const x of rv) if (p2(v, x)) return true;
          return false;
        }
        return p2(v, rv);
      }
      return p2(v, rv);
    };
    if (L.values) {
      const vs = L.values;
      const all = L.mode === 'endpoints' && cmp.op === 'ne';
      return (ev, st) => {
        const a = vs(ev, st);
        if (a === null || a.length === 0) return false;
        const rv = rg(ev, st);
        if (rv === null) return false;
        if (all) {
          for (const v of a) if (v === null || !one(v, rv)) return false;
          return true;
        }
        for (const v of a) if (v !== null && one(v, rv)) return true;
        return false;
      };
    }
    if (L.isList) {
      const every = cmp.op === 'in';
      return (ev, st) => {
        const a = lg(ev, st) as FieldValue[] | null;
        if (a === null) return false;
        const rv = rg(ev, st);
        if (rv === null) return false;
        if (every) {
          for (const v of a) if (!one(v, rv)) return false;
          return true;
        }
        for (const v of a) if (one(v, rv)) return true;
        return false;
      };
    }
    return (ev, st) => {
      const v = lg(ev, st);
      if (v === null) return false;
      const rv = rg(ev, st);
      return rv !== null && one(v, rv);
    };
  }

  // ---- warnings (libsinsp check_value_and_add_warnings) ---------------------------------------

  private valueWarnings(cmp: Comparator, pos: number, v: string): void {
    try {
      const nospaces = v.replace(/[ \t\n\v\f\r]/g, '');
      if (cmp.op === 'regex') this.regexWarning(pos, v);
      if (FIELD_LIKE.test(nospaces)) {
        const b = nospaces.indexOf('[');
        const name = b < 0 ? nospaces : nospaces.slice(0, b);
        const arg = b < 0 ? null : nospaces.slice(b + 1, -1);
        let ok = false;
        try {
          this.registry.bind(name, arg);
          ok = true;
        } catch {
          ok = false;
        }
        if (ok) this.warnings.push({ message: `'${v}' may be a valid field misused as a const string value`, pos });
      }
      for (const t of supportedTransformers(true)) {
        if (
          nospaces.length >= t.length + 2 &&
          nospaces.startsWith(t) &&
          nospaces[t.length] === '(' &&
          nospaces.endsWith(')')
        ) {
          this.warnings.push({
            message: `'${v}' may be a valid field transformer misused as a const string value`,
            pos,
          });
        }
      }
    } catch {
      // warnings never fail a compilation
    }
  }

  private regexWarning(pos: number, v: string): void {
    const special = '.+*?^$()[]{}|\\';
    const len = v.length;
    for (let i = 0; i < len; i++) {
      if ((i === 0 && v[i] === '^') || (i === len - 1 && v[i] === '$')) continue;
      if (((i === 0 && len > 1) || i === len - 2) && v[i] === '.' && '+*?'.includes(v[i + 1])) {
        i++;
        continue;
      }
      if (special.includes(v[i])) return;
    }
    this.warnings.push({
      message: `regex check with '${v}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`,
      pos,
    });
  }
}

function andOf(fs: EvalFn[]): EvalFn {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (ev, st) => a(ev, st) && b(ev, st);
  }
  if (fs.length === 3) {
    const [a, b, c] = fs;
    return (ev, st) => a(ev, st) && b(ev, st) && c(ev, st);
  }
  const n = fs.length;
  return (ev, st) => {
    for (let i = 0; i < n; i++) if (!fs[i](ev, st)) return false;
    return true;
  };
}

function orOf(fs: EvalFn[]): EvalFn {
  if (fs.length === 1) return fs[0];
  if (fs.length === 2) {
    const [a, b] = fs;
    return (ev, st) => a(ev, st) || b(ev, st);
  }
  if (fs.length === 3) {
    const [a, b, c] = fs;
    return (ev, st) => a(ev, st) || b(ev, st) || c(ev, st);
  }
  const n = fs.length;
  return (ev, st) => {
    for (let i = 0; i < n; i++) if (fs[i](ev, st)) return true;
    return false;
  };
}

/**
 * A long `or` (e.g. several rules' conditions) evaluates, per event, only the children whose
 * event-type analysis admits the event's code, as the rules engine's index does; codes beyond
 * the table evaluate every child.
 */
function orByEventCode(children: readonly Node[], fs: EvalFn[]): EvalFn | null {
  const byCode = childrenByEventCode(children);
  if (byCode === null) return null;
  const memo = new Map<number[], EvalFn>();
  const never: EvalFn = () => false;
  const table = byCode.map((idx) => {
    let f = memo.get(idx);
    if (f === undefined) {
      f = idx.length === 0 ? never : orOf(idx.map((i) => fs[i]));
      memo.set(idx, f);
    }
    return f;
  });
  const all = orOf(fs);
  const n = table.length;
  return (ev, st) => (ev.type < n ? table[ev.type] : all)(ev, st);
}

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

/**
 * Compiles an already parsed AST. `text` is the byte string it was parsed from (for error
 * line/columns).
 */
export function compileAst(ast: Node, registry: FieldRegistry, opts: CompileOptions = {}, text = ''): CompiledFilter {
  const c = new Compiler(registry, opts, text);
  let expanded: Node;
  let match: EvalFn;
  try {
    expanded = c.expand(ast);
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
