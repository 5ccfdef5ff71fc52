/**
 * Falco macro expansion: identifiers in a condition are replaced by their macro's AST, each
 * use a fresh copy that remembers its macro chain and source text, so an error inside a macro
 * body names the macro and points into its own text. Loops and "billion laughs" expansions
 * are compile errors.
 */
import type { Node } from '../ast';
import { FilterError } from '../errors';

/** A macro body: a parsed condition, optionally with the text it was parsed from (for error line/column). */
export interface MacroDef {
  ast: Node;
  text?: string;
}

/** The AST of macro `name`, or null/undefined if undefined. */
export type MacroResolver = (name: string) => Node | MacroDef | null | undefined;

/** Where a node comes from, for error messages. */
export interface MacroCtx {
  /** macro names, outermost first */
  chain: string[];
  /** the text positions refer to ('' if unknown) */
  text: string;
}

export const MAX_COMPILE_DEPTH = 20000;
/**
 * Macro expansion copies each use: a chain of macros each using the previous one twice is a
 * "billion laughs" (2^n nodes). Real rules expand to a few thousand nodes at most.
 */
const MAX_EXPANDED_NODES = 100000;
/** list elements copied by macro expansion (a large list in a macro used many times) */
const MAX_EXPANDED_VALUES = 2000000;

/** A compile error at `pos` in the context `ctx`. */
export function failIn(ctx: MacroCtx, msg: string, pos: number): never {
  throw new FilterError(msg, pos, ctx.text, 'compile', [...ctx.chain]);
}

export class MacroExpander {
  /** the context of each expanded macro's root node (what the compiler reports errors in) */
  readonly contexts = new Map<Node, MacroCtx>();
  private ctx: MacroCtx;
  private depth = 0;
  private expanded = 0;
  private expandedValues = 0;

  constructor(
    private readonly resolve: MacroResolver | undefined,
    text: string,
  ) {
    this.ctx = { chain: [], text };
  }

  private fail(msg: string, pos: number): never {
    return failIn(this.ctx, msg, pos);
  }

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
    const resolve = this.resolve;
    if (!resolve) this.fail(`unexpected identifier '${name}'`, pos);
    if (this.ctx.chain.includes(name)) this.fail(`reference loop in macro '${name}'`, pos);
    const def = resolve(name);
    if (!def) this.fail(`Undefined macro '${name}' used in filter.`, pos);
    const ast = 'kind' in def ? def : def.ast;
    const text = 'kind' in def ? '' : (def.text ?? '');
    const saved = this.ctx;
    const inner: MacroCtx = { chain: [...saved.chain, name], text };
    this.ctx = inner;
    try {
      const e = this.expand(ast);
      const copy = { ...e }; // fresh identity: one context per expansion site
      this.contexts.set(copy, inner);
      return copy;
    } finally {
      this.ctx = saved;
    }
  }

  // ---- boolean structure ----------------------------------------------------------------------
}
