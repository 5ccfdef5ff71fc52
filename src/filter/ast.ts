/**
 * The filter AST: libsinsp's node kinds (`libsinsp/filter/ast.h`) as a discriminated union.
 *
 * Nothing about types is decided here: `fd.num = 3` stores the string "3"; the compiler types
 * it from the field. Every node carries `start`/`end` byte offsets into the parsed text
 * (line/column are computed only when needed, see errors.ts `lineCol`).
 */

interface NodeBase {
  /** offset of the node's first character */
  start: number;
  /** offset just past the node's last character */
  end: number;
}

export interface AndNode extends NodeBase {
  kind: 'and';
  children: Node[];
}
export interface OrNode extends NodeBase {
  kind: 'or';
  children: Node[];
}
export interface NotNode extends NodeBase {
  kind: 'not';
  child: Node;
}
/** A macro reference (Falco) — an error without a resolver (sysdig). */
export interface IdentifierNode extends NodeBase {
  kind: 'identifier';
  name: string;
}
/** A literal (already unescaped). `quoted` is not in libsinsp's AST; it lets list resolution skip quoted text. */
export interface ValueNode extends NodeBase {
  kind: 'value';
  value: string;
  quoted: boolean;
}
/** `( v1, v2, … )` after in/intersects/pmatch or a modifier. */
export interface ListNode extends NodeBase {
  kind: 'list';
  values: string[];
  quoted: boolean[];
}
/** `name` or `name[arg]`; arg null = no brackets, "" = `[""]`. */
export interface FieldNode extends NodeBase {
  kind: 'field';
  field: string;
  arg: string | null;
}
/** `tolower(x)`, `join(",", (a, b))`, `getopt(proc.args, "t:")[t]`, and the RHS-only `val(x)`. */
export interface TransformerNode extends NodeBase {
  kind: 'transformer';
  name: string;
  args: Node[];
  arg: string | null;
}
/** A parenthesised transformer argument list: `( a, "b", 3 )`. */
export interface TransformerListNode extends NodeBase {
  kind: 'transformer_list';
  children: Node[];
}
export interface UnaryCheckNode extends NodeBase {
  kind: 'unary';
  left: Node;
  op: 'exists';
}
/** `op` is the trimmed operator text; with a modifier it is e.g. "startswith oneof". */
export interface BinaryCheckNode extends NodeBase {
  kind: 'binary';
  left: Node;
  op: string;
  right: Node;
}

export type Node =
  | AndNode
  | OrNode
  | NotNode
  | IdentifierNode
  | ValueNode
  | ListNode
  | FieldNode
  | TransformerNode
  | TransformerListNode
  | UnaryCheckNode
  | BinaryCheckNode;

export type NodeKind = Node['kind'];

/** Deep structural equality, ignoring positions (libsinsp `is_equal`). */
export function astEqual(a: Node, b: Node): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'and':
    case 'or': {
      const bc = (b as AndNode | OrNode).children;
      return a.children.length === bc.length && a.children.every((c, i) => astEqual(c, bc[i]));
    }
    case 'not':
      return astEqual(a.child, (b as NotNode).child);
    case 'identifier':
      return a.name === (b as IdentifierNode).name;
    case 'value':
      return a.value === (b as ValueNode).value;
    case 'list': {
      const bv = (b as ListNode).values;
      return a.values.length === bv.length && a.values.every((v, i) => v === bv[i]);
    }
    case 'field':
      return a.field === (b as FieldNode).field && a.arg === (b as FieldNode).arg;
    case 'transformer': {
      const t = b as TransformerNode;
      return (
        a.name === t.name &&
        a.arg === t.arg &&
        a.args.length === t.args.length &&
        a.args.every((c, i) => astEqual(c, t.args[i]))
      );
    }
    case 'transformer_list': {
      const bc = (b as TransformerListNode).children;
      return a.children.length === bc.length && a.children.every((c, i) => astEqual(c, bc[i]));
    }
    case 'unary':
      return a.op === (b as UnaryCheckNode).op && astEqual(a.left, (b as UnaryCheckNode).left);
    case 'binary': {
      const t = b as BinaryCheckNode;
      return a.op === t.op && astEqual(a.left, t.left) && astEqual(a.right, t.right);
    }
  }
}

/** Quotes a value for re-parsing when needed (libsinsp `escape_str`). */
export function escapeValue(s: string): string {
  let out = '';
  let needs = s.length === 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    switch (c) {
      case '\b':
        needs = true;
        out += '\\b';
        break;
      case '\f':
        needs = true;
        out += '\\f';
        break;
      case '\n':
        needs = true;
        out += '\\n';
        break;
      case '\r':
        needs = true;
        out += '\\r';
        break;
      case '\t':
        needs = true;
        out += '\\t';
        break;
      case '\\':
        needs = true;
        out += '\\\\';
        break;
      case '"':
        needs = true;
        out += '\\"';
        break;
      case ' ':
      case '=':
      case "'":
      case '(':
      case ')':
      case ',':
        needs = true;
        out += c;
        break;
      default:
        out += c;
    }
  }
  return needs ? `"${out}"` : out;
}

/** A transformer argument: numbers stay bare, other values are always quoted. */
function renderTArg(n: Node): string {
  if (n.kind !== 'value') return astToString(n);
  if (/^(0[xX][0-9a-fA-F]+|[+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)?)$/.test(n.value)) return n.value;
  const e = escapeValue(n.value);
  return e.startsWith('"') ? e : `"${e}"`;
}

function argSuffix(arg: string | null): string {
  if (arg === null) return '';
  return /^[^\][\s"']+$/.test(arg) ? `[${arg}]` : `[${escapeValue(arg)}]`;
}

/**
 * Renders an AST back to filter text that parses to an equal AST (libsinsp `string_visitor`,
 * with every and/or/not group parenthesised).
 */
export function astToString(n: Node): string {
  switch (n.kind) {
    case 'and':
      return '(' + n.children.map(astToString).join(' and ') + ')';
    case 'or':
      return '(' + n.children.map(astToString).join(' or ') + ')';
    case 'not':
      return 'not ' + astToString(n.child);
    case 'identifier':
      return n.name;
    case 'value':
      return escapeValue(n.value);
    case 'list':
      return '(' + n.values.map(escapeValue).join(', ') + ')';
    case 'field':
      return n.field + argSuffix(n.arg);
    case 'transformer':
      return `${n.name}(${n.args.map(renderTArg).join(', ')})${argSuffix(n.arg)}`;
    case 'transformer_list':
      return '(' + n.children.map(renderTArg).join(', ') + ')';
    case 'unary':
      return `${astToString(n.left)} ${n.op}`;
    case 'binary': {
      // ordering operators need a number token; quoting would break them
      const r = n.right.kind === 'value' && /^(<|<=|>|>=)$/.test(n.op) ? n.right.value : astToString(n.right);
      return `${astToString(n.left)} ${n.op} ${r}`;
    }
  }
}

/** Calls `fn` on every node, depth first, parents before children. */
export function walk(n: Node, fn: (n: Node) => void): void {
  fn(n);
  switch (n.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      for (const c of n.children) walk(c, fn);
      break;
    case 'not':
      walk(n.child, fn);
      break;
    case 'transformer':
      for (const c of n.args) walk(c, fn);
      break;
    case 'unary':
      walk(n.left, fn);
      break;
    case 'binary':
      walk(n.left, fn);
      walk(n.right, fn);
      break;
    default:
      break;
  }
}
