/**
 * The filter parser: a port of libsinsp's recursive-descent parser (libs 0.25.x,
 * `userspace/libsinsp/filter/parser.{h,cpp}`), with positions on every node and in every error.
 *
 * Grammar (EBNF; tokens are in lexer.ts):
 *
 *   Expr                 ::= OrExpr
 *   OrExpr               ::= AndExpr ( 'or' OrExprTail )*
 *   OrExprTail           ::= Blank AndExpr | '(' Expr ')'
 *   AndExpr              ::= NotExpr ( 'and' AndExprTail )*
 *   AndExprTail          ::= Blank NotExpr | '(' Expr ')'
 *   NotExpr              ::= ( 'not' Blank+ )* NotExprTail          -- each 'not' flips a flag
 *   NotExprTail          ::= 'not(' Expr ')' | Check
 *   Check                ::= '(' Expr ')'
 *                          | Field Condition
 *                          | FieldTransformer Condition
 *                          | Identifier                           -- macro reference
 *   FieldTransformer     ::= TransformerName FieldTransformerArg ( ',' FieldTransformerArg )* ')' ( '[' FieldArg ']' )?
 *   FieldTransformerArg  ::= NumValue | QuotedStr | TransformerList | FieldTransformer | Field
 *   TransformerList      ::= '(' ( TransformerListArg ( ',' TransformerListArg )* )? ')'
 *   TransformerListArg   ::= Field | FieldTransformer | QuotedStr | NumValue
 *   FieldTransformerOrVal::= 'val(' Field ')' ( '[' FieldArg ']' )? | FieldTransformer
 *   Condition            ::= UnaryOperator
 *                          | NumOperator ( FieldTransformerOrVal | NumValue )
 *                          | StrOperator StrOperatorModifier ListValue     -- lookahead, see parseCondition
 *                          | StrOperator ( FieldTransformerOrVal | StrValue )
 *                          | ListOperator ( ListValue | FieldTransformerOrVal )
 *   ListValue            ::= '(' ( StrValue ( ',' StrValue )* )? ')' | Identifier
 *   Field                ::= FieldName ( '[' FieldArg ']' )?
 *   FieldArg             ::= QuotedStr | FieldArgBareStr
 *   NumValue             ::= HexNumber | Number
 *   StrValue             ::= QuotedStr | BareStr
 *
 *   UnaryOperator        ::= 'exists'
 *   NumOperator          ::= '<=' | '<' | '>=' | '>'
 *   StrOperator          ::= '==' | '=' | '!=' | 'glob ' | 'iglob ' | 'contains ' | 'icontains '
 *                          | 'bcontains ' | 'startswith ' | 'bstartswith ' | 'endswith ' | 'regex '
 *   StrOperatorModifier  ::= 'oneof ' | 'anyof ' | 'allof '
 *   ListOperator         ::= 'intersects' | 'in' | 'pmatch'
 *   TransformerName      ::= 'tolower(' | 'toupper(' | 'b64(' | 'basename(' | 'len(' | 'join(' | 'concat(' | 'getopt('
 *
 * (a trailing space in an operator means it must be followed by a blank)
 *
 * Precedence: not > and > or; and/or are n-ary. The whole input must be consumed.
 * Error positions are where libsinsp's cursor stood when it threw.
 */
import type {
  BinaryCheckNode,
  FieldNode,
  ListNode,
  Node,
  TransformerListNode,
  TransformerNode,
  ValueNode,
} from './ast';
import { FilterError } from './errors';
import {
  LIST_OPS,
  LexError,
  Lexer,
  NUM_OPS,
  STR_MODIFIERS,
  STR_OPS,
  TRANSFORMERS,
  UNARY_OPS,
  VAL_TRANSFORMER,
  supportedOperators,
  supportedTransformers,
} from './lexer';

export interface ParseOptions {
  /** Max recursion depth (libsinsp default 100; Falco sets 1000). Default 1000. */
  maxDepth?: number;
  /** Accept a valid filter that is only a prefix of the input (libsinsp set_parse_partial). */
  partial?: boolean;
  /**
   * The input is already a byte string (one latin1 char per byte), e.g. read from a rules file
   * as latin1. By default the input is Unicode text and is converted to its UTF-8 bytes first.
   */
  bytes?: boolean;
}

export interface ParseResult {
  ast: Node;
  /** The byte string that was parsed; node and error offsets index into it. */
  text: string;
  /** Where parsing stopped (== text.length unless `partial`). */
  end: number;
}

const quoteList = (l: string[]): string => l.map((s) => `'${s}'`).join(', ');

/** Converts Unicode text (e.g. from UTF-8 argv) to the byte string libsinsp would see. */
export function toByteString(s: string): string {
  // fast path: pure ASCII needs no conversion
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(s, 'utf8').toString('latin1');
  }
  return s;
}

export class Parser {
  private readonly lx: Lexer;
  private readonly maxDepth: number;
  private readonly partial: boolean;
  private depth = 0;

  /** `text` must be a byte string; use parseFilter() for Unicode input. */
  constructor(text: string, opts: ParseOptions = {}) {
    this.lx = new Lexer(text);
    this.maxDepth = opts.maxDepth ?? 1000;
    this.partial = opts.partial ?? false;
  }

  get text(): string {
    return this.lx.text;
  }
  get pos(): number {
    return this.lx.pos;
  }

  parse(): Node {
    if (this.lx.text.length === 0) this.raise('filter input string is empty');
    this.lx.pos = 0;
    this.lx.lastToken = '';
    this.depth = 0;
    let res: Node;
    try {
      res = this.parseOr();
    } catch (e) {
      if (e instanceof RangeError) this.raise(`exceeded max depth limit of ${this.maxDepth}`);
      throw e;
    }
    if (!this.partial && !this.lx.atEnd) {
      this.raise(`unexpected token after '${this.lx.lastToken}', expecting 'or', 'and'`);
    }
    return res;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private raise(msg: string, pos = this.lx.pos): never {
    throw new FilterError(msg, pos, this.lx.text, 'parse');
  }

  private enter(): void {
    if (++this.depth >= this.maxDepth) this.raise(`exceeded max depth limit of ${this.maxDepth}`);
  }

  private leave(): void {
    this.depth--;
  }

  /** Runs a lexer step that may throw LexError (bad escapes) and positions the error. */
  private quoted(): boolean {
    try {
      return this.lx.lexQuotedStr();
    } catch (e) {
      if (e instanceof LexError) this.raise(e.message);
      throw e;
    }
  }

  private value(start: number): ValueNode {
    return { kind: 'value', value: this.lx.lastToken, quoted: this.lx.lastWasQuoted, start, end: this.lx.pos };
  }

  // ---- productions --------------------------------------------------------------------------

  /** OrExpr ::= AndExpr ( 'or' OrExprTail )* */
  private parseOr(): Node {
    return this.parseChain('or', () => this.parseAnd());
  }

  /** AndExpr ::= NotExpr ( 'and' AndExprTail )* */
  private parseAnd(): Node {
    return this.parseChain('and', () => this.parseNot());
  }

  /**
   * A run of operands joined by one operator; after the operator a blank or an opening
   * parenthesis is required ('or(' starts an embedded expression, as in libsinsp).
   */
  private parseChain(op: 'or' | 'and', operand: () => Node): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      const children: Node[] = [operand()];
      let end = this.lx.pos;
      this.lx.lexBlank();
      while (this.lx.lexStr(op)) {
        if (!this.lx.lexBlank()) {
          if (this.lx.lexStr('(')) children.push(this.parseEmbeddedRemainder());
          else this.raise(`expected blank or '(' after '${op}'`);
        } else {
          children.push(operand());
        }
        end = this.lx.pos;
        this.lx.lexBlank();
      }
      if (children.length > 1) return { kind: op, children, start, end };
      return children[0];
    } finally {
      this.leave();
    }
  }

  /** NotExpr ::= ( 'not' Blank+ )* ( 'not(' Expr ')' | Check ) */
  private parseNot(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      let isNot = false;
      while (this.lx.lexNotBlank()) isNot = !isNot;
      let child: Node;
      if (this.lx.lexStr('not(')) {
        isNot = !isNot;
        child = this.parseEmbeddedRemainder();
      } else {
        child = this.parseCheck();
      }
      return isNot ? { kind: 'not', child, start, end: this.lx.pos } : child;
    } finally {
      this.leave();
    }
  }

  /** The rest of '(' Expr ')' after the '(' */
  private parseEmbeddedRemainder(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const child = this.parseOr();
      this.lx.lexBlank();
      if (!this.lx.lexStr(')')) this.raise("expected a ')' token");
      return child;
    } finally {
      this.leave();
    }
  }

  /** Check ::= '(' Expr ')' | Field Condition | FieldTransformer Condition | Identifier */
  private parseCheck(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      if (this.lx.lexStr('(')) return this.parseEmbeddedRemainder();
      if (this.lx.lexFieldName()) {
        const left = this.parseFieldRemainder(this.lx.lastToken, start);
        return this.parseCondition(left, start);
      }
      if (this.lx.lexStrList(TRANSFORMERS)) {
        this.lx.lexBlank();
        const left = this.parseTransformerRemainder(this.lx.lastToken.slice(0, -1), start);
        return this.parseCondition(left, start);
      }
      if (this.lx.lexIdentifier()) {
        return { kind: 'identifier', name: this.lx.lastToken, start, end: this.lx.pos };
      }
      this.raise("expected a '(' token, a field check, or an identifier");
    } finally {
      this.leave();
    }
  }

  /** Field ::= FieldName ( '[' FieldArg ']' )?  (FieldName already consumed) */
  private parseFieldRemainder(field: string, start: number): FieldNode {
    this.enter();
    try {
      const arg = this.parseOptionalFieldArg();
      return { kind: 'field', field, arg, start, end: this.lx.pos };
    } finally {
      this.leave();
    }
  }

  /** ( '[' FieldArg ']' )? */
  private parseOptionalFieldArg(): string | null {
    if (!this.lx.lexStr('[')) return null;
    if (!this.quoted() && !this.lx.lexFieldArgBareStr()) {
      this.raise('expected a valid field argument: a quoted string or a bare string');
    }
    const arg = this.lx.lastToken;
    if (!this.lx.lexStr(']')) this.raise("expected a ']' token");
    return arg;
  }

  /** FieldTransformerTail ::= FieldTransformerArg ( ',' FieldTransformerArg )* ')' ( '[' FieldArg ']' )? */
  private parseTransformerRemainder(name: string, start: number): TransformerNode {
    this.enter();
    try {
      this.lx.lexBlank();
      const args: Node[] = [];
      do {
        args.push(this.parseTransformerArg());
        this.lx.lexBlank();
      } while (this.lx.lexStr(','));
      this.lx.lexBlank();
      if (!this.lx.lexStr(')')) this.raise("expected a ')' token closing the transformer");
      const arg = this.parseOptionalFieldArg();
      return { kind: 'transformer', name, args, arg, start, end: this.lx.pos };
    } finally {
      this.leave();
    }
  }

  /** FieldTransformerArg ::= NumValue | QuotedStr | TransformerList | FieldTransformer | Field */
  private parseTransformerArg(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      if (this.lx.lexHexNum() || this.lx.lexNum()) return this.value(start);
      if (this.quoted()) return this.value(start);
      if (this.lx.lexStr('(')) return this.parseTransformerList(start);
      if (this.lx.lexStrList(TRANSFORMERS)) {
        return this.parseTransformerRemainder(this.lx.lastToken.slice(0, -1), start);
      }
      if (this.lx.lexFieldName()) return this.parseFieldRemainder(this.lx.lastToken, start);
      this.raise('expected field transformer argument: field, transformer, quoted string, number, or transformer list');
    } finally {
      this.leave();
    }
  }

  /** TransformerList ::= '(' ( TransformerListArg ( ',' TransformerListArg )* )? ')'  ('(' consumed) */
  private parseTransformerList(start: number): TransformerListNode {
    const children: Node[] = [];
    this.lx.lexBlank();
    if (!this.lx.lexStr(')')) {
      children.push(this.parseTransformerListArg());
      this.lx.lexBlank();
      while (this.lx.lexStr(',')) {
        this.lx.lexBlank();
        children.push(this.parseTransformerListArg());
        this.lx.lexBlank();
      }
      if (!this.lx.lexStr(')')) this.raise("expected ')'");
    }
    return { kind: 'transformer_list', children, start, end: this.lx.pos };
  }

  /** TransformerListArg ::= Field | FieldTransformer | QuotedStr | NumValue */
  private parseTransformerListArg(): Node {
    this.enter();
    try {
      const start = this.lx.pos;
      if (this.lx.lexFieldName()) return this.parseFieldRemainder(this.lx.lastToken, start);
      if (this.lx.lexStrList(TRANSFORMERS)) {
        this.lx.lexBlank();
        return this.parseTransformerRemainder(this.lx.lastToken.slice(0, -1), start);
      }
      if (this.quoted()) return this.value(start);
      if (this.lx.lexHexNum() || this.lx.lexNum()) return this.value(start);
      this.raise('expected transformer list argument: field, transformer, quoted string, or number');
    } finally {
      this.leave();
    }
  }

  /**
   * Condition: unary, numeric, string (with the libs ≥ 0.25 modifier lookahead) or list check.
   * A modifier (oneof/anyof/allof + blank) is taken only if the operator was followed by a
   * blank and the modifier by '(' or an identifier that is not and/or/not; otherwise the
   * word is an ordinary bare value.
   */
  private parseCondition(left: Node, start: number): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      if (this.lx.lexOperatorList(UNARY_OPS)) {
        return { kind: 'unary', left, op: 'exists', start, end: this.lx.pos };
      }
      this.lx.lexBlank();
      let op: string;
      let right: Node;
      if (this.lx.lexOperatorList(NUM_OPS)) {
        op = this.lx.lastToken;
        right = this.parseNumValueOrTransformer();
      } else if (this.lx.lexOperatorList(STR_OPS)) {
        op = this.lx.lastToken;
        const c = op.charCodeAt(0);
        const wordOp = c >= 97 && c <= 122;
        const hadBlank = wordOp || this.lx.lexBlank();
        const savedPos = this.lx.pos;
        const savedTok = this.lx.lastToken;
        const savedQ = this.lx.lastWasQuoted;
        if (
          hadBlank &&
          this.lx.lexOperatorList(STR_MODIFIERS) &&
          this.lx.listValueFollows() &&
          !this.lx.boolKeywordFollows()
        ) {
          op = op.trim() + ' ' + this.lx.lastToken;
          right = this.parseListValue();
        } else {
          this.lx.pos = savedPos;
          this.lx.lastToken = savedTok;
          this.lx.lastWasQuoted = savedQ;
          right = this.parseStrValueOrTransformer(false);
        }
      } else if (this.lx.lexOperatorList(LIST_OPS)) {
        op = this.lx.lastToken;
        right = this.parseListValueOrTransformer();
      } else {
        this.raise(`expected a valid check operator: one of ${quoteList(supportedOperators())}`);
      }
      const node: BinaryCheckNode = { kind: 'binary', left, op: op.trim(), right, start, end: this.lx.pos };
      return node;
    } finally {
      this.leave();
    }
  }

  private parseNumValueOrTransformer(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      const t = this.tryParseTransformerOrVal();
      if (t) return t;
      if (this.lx.lexHexNum() || this.lx.lexNum()) return this.value(start);
      this.raise(
        `expected a number value or a field with a valid transformer: ${quoteList(supportedTransformers(true))}`,
      );
    } finally {
      this.leave();
    }
  }

  private parseStrValueOrTransformer(noTransformer: boolean): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      if (!noTransformer) {
        const t = this.tryParseTransformerOrVal();
        if (t) return t;
      }
      if (this.quoted() || this.lx.lexBareStr()) return this.value(start);
      if (noTransformer) this.raise('expected a string value');
      this.raise(
        `expected a string value or a field with a valid transformer: ${quoteList(supportedTransformers(true))}`,
      );
    } finally {
      this.leave();
    }
  }

  /**
   * '(' [ StrValue (',' StrValue)* ] ')', or null if no '(' follows.
   * Quirk kept from libsinsp: *any* error while reading the first element makes the list
   * "empty", and only a following ')' is then required.
   */
  private tryParseList(): ListNode | null {
    const start = this.lx.pos;
    if (!this.lx.lexStr('(')) return null;
    const values: string[] = [];
    const quoted: boolean[] = [];
    this.lx.lexBlank();
    let first: Node | null;
    const depth = this.depth;
    try {
      first = this.parseStrValueOrTransformer(true);
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      this.depth = depth;
      first = null;
    }
    if (first) {
      values.push((first as ValueNode).value);
      quoted.push((first as ValueNode).quoted);
      this.lx.lexBlank();
      while (this.lx.lexStr(',')) {
        const v = this.parseStrValueOrTransformer(true) as ValueNode;
        values.push(v.value);
        quoted.push(v.quoted);
        this.lx.lexBlank();
      }
    }
    if (!this.lx.lexStr(')')) this.raise("expected a ')' token");
    return { kind: 'list', values, quoted, start, end: this.lx.pos };
  }

  /** ListValue after a modifier: a list or an identifier */
  private parseListValue(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      const l = this.tryParseList();
      if (l) return l;
      if (this.lx.lexIdentifier()) return this.value(start);
      this.raise('expected a list or an identifier');
    } finally {
      this.leave();
    }
  }

  private parseListValueOrTransformer(): Node {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      const l = this.tryParseList();
      if (l) return l;
      const t = this.tryParseTransformerOrVal();
      if (t) return t;
      if (this.lx.lexIdentifier()) return this.value(start);
      this.raise(
        `expected a list, an identifier, or a field with a valid transformer: ${quoteList(supportedTransformers(true))}`,
      );
    } finally {
      this.leave();
    }
  }

  /** FieldTransformerOrVal, or null (nothing consumed but blanks). */
  private tryParseTransformerOrVal(): TransformerNode | null {
    this.enter();
    try {
      this.lx.lexBlank();
      const start = this.lx.pos;
      if (this.lx.lexStr(VAL_TRANSFORMER)) {
        this.lx.lexBlank();
        const fieldStart = this.lx.pos;
        if (!this.lx.lexFieldName()) this.raise("expected a field within 'val' transformer");
        const child = this.parseFieldRemainder(this.lx.lastToken, fieldStart);
        this.lx.lexBlank();
        if (!this.lx.lexStr(')')) this.raise("expected a ')' token closing the transformer");
        const arg = this.parseOptionalFieldArg();
        return { kind: 'transformer', name: 'val', args: [child], arg, start, end: this.lx.pos };
      }
      if (this.lx.lexStrList(TRANSFORMERS)) {
        this.lx.lexBlank();
        return this.parseTransformerRemainder(this.lx.lastToken.slice(0, -1), start);
      }
      return null;
    } finally {
      this.leave();
    }
  }
}

/**
 * Parses a filter. `text` is Unicode text (converted to UTF-8 bytes first) unless
 * `opts.bytes`. Throws FilterError (kind 'parse') with the position of the failure.
 */
export function parseFilter(text: string, opts: ParseOptions = {}): ParseResult {
  const bytes = opts.bytes ? text : toByteString(text);
  const p = new Parser(bytes, opts);
  const ast = p.parse();
  return { ast, text: bytes, end: p.pos };
}
