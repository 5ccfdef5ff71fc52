/**
 * yaml-cpp's scanner, as a model for yaml-cpp-errors.ts: the byte stream with its marks, the
 * character classes, the scalar scanner and the token queue (indentation, simple keys, flow
 * levels), reduced to what moves the input or decides an error. Error texts are yaml-cpp's.
 */

export const EOF = -1;
const [TAB, LF, CR, SP, DQ, HASH, PCT, AMP, SQ, STAR, PLUS, COMMA, MINUS, DOT, COLON, LT, GT, QM, BANG] = [
  9, 10, 13, 32, 34, 35, 37, 38, 39, 42, 43, 44, 45, 46, 58, 60, 62, 63, 33,
];
const [LBRACKET, BSLASH, RBRACKET, LBRACE, PIPE, RBRACE] = [91, 92, 93, 123, 124, 125];
const codes = (s: string): Set<number> => new Set([...s].map((ch) => ch.charCodeAt(0)));

export const M = {
  YAML_DIRECTIVE_ARGS: 'YAML directives must have exactly one argument',
  YAML_VERSION: 'bad YAML version: ',
  YAML_MAJOR_VERSION: 'YAML major version too large',
  REPEATED_YAML_DIRECTIVE: 'repeated YAML directive',
  TAG_DIRECTIVE_ARGS: 'TAG directives must have exactly two arguments',
  REPEATED_TAG_DIRECTIVE: 'repeated TAG directive',
  CHAR_IN_TAG_HANDLE: 'illegal character found while scanning tag handle',
  TAG_WITH_NO_SUFFIX: 'tag handle with no suffix',
  END_OF_VERBATIM_TAG: 'end of verbatim tag not found',
  END_OF_MAP: 'end of map not found',
  END_OF_MAP_FLOW: 'end of map flow not found',
  END_OF_SEQ: 'end of sequence not found',
  END_OF_SEQ_FLOW: 'end of sequence flow not found',
  MULTIPLE_TAGS: 'cannot assign multiple tags to the same node',
  MULTIPLE_ANCHORS: 'cannot assign multiple anchors to the same node',
  INVALID_HEX: 'bad character found while scanning hex number',
  INVALID_UNICODE: 'invalid unicode: ',
  INVALID_ESCAPE: 'unknown escape character: ',
  UNKNOWN_TOKEN: 'unknown token',
  DOC_IN_SCALAR: 'illegal document indicator in scalar',
  EOF_IN_SCALAR: 'illegal EOF in scalar',
  UNEXPECTED_SCALAR: 'unexpected scalar',
  UNEXPECTED_FLOW: 'plain value cannot start with flow indicator character',
  TAB_IN_INDENTATION: 'illegal tab when looking for indentation',
  FLOW_END: 'illegal flow end',
  BLOCK_ENTRY: 'illegal block entry',
  MAP_KEY: 'illegal map key',
  MAP_VALUE: 'illegal map value',
  ALIAS_NOT_FOUND: 'alias not found after *',
  ANCHOR_NOT_FOUND: 'anchor not found after &',
  CHAR_IN_ALIAS: 'illegal character found while scanning alias',
  CHAR_IN_ANCHOR: 'illegal character found while scanning anchor',
  ZERO_INDENT_IN_BLOCK: 'cannot set zero indentation for a block scalar',
  CHAR_IN_BLOCK: 'unexpected character in block scalar',
  UNKNOWN_ANCHOR: 'the referenced anchor is not defined: ',
  BAD_FILE: 'bad file',
};

export interface Mark {
  pos: number;
  line: number;
  col: number;
}

export class ParseFailure extends Error {
  constructor(
    readonly mark: Mark,
    readonly msg: string,
  ) {
    super(msg);
  }
}

// ---------------------------------------------------------------------------------------------
// The character stream and yaml-cpp's character classes over it

const isBlank = (c: number): boolean => c === SP || c === TAB;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWord = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === MINUS;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const URI_CHARS = codes("#;/?:@&=+$,_.!~*'()[]");
const TAG_CHARS = codes("#;/?:@&=+$_.~*'()");
const NOT_ANCHOR = codes('[]{},');
const ANCHOR_END = codes('?:,]}%@`');
const PLAIN_NOT_FIRST = codes(',[]{}#&*!|>\'"%@`');
const PLAIN_NOT_FIRST_IN_FLOW = codes('?,[]{}#&*!|>\'"%@`');
const FLOW_VALUE_FOLLOW = codes(',]}');
const ENDS_PLAIN_IN_FLOW = codes(',?[]{}');

export class Input {
  i = 0;
  line = 0;
  col = 0;
  /** the line break that counts lines, set by the first one read (0: none yet) */
  private lineEnd = 0;

  constructor(private readonly b: Uint8Array) {}

  get ok(): boolean {
    return this.i < this.b.length;
  }
  at(k = 0): number {
    const j = this.i + k;
    return j < this.b.length ? this.b[j] : EOF;
  }
  get(): number {
    const ch = this.at();
    this.i++;
    this.col++;
    if (this.lineEnd === 0) {
      if (ch === LF) this.lineEnd = LF;
      else if (ch === CR) this.lineEnd = this.at() === LF ? LF : CR;
    }
    // (before the first line break, yaml-cpp's undetermined line end is NUL, and counts as one)
    if (ch === this.lineEnd) {
      this.col = 0;
      this.line++;
    }
    return ch;
  }
  eat(n: number): void {
    for (let k = 0; k < n; k++) this.get();
  }
  mark(): Mark {
    return { pos: this.i, line: this.line, col: this.col };
  }
  resetColumn(): void {
    this.col = 0;
  }
  text(from: number, to: number): string {
    return Buffer.from(this.b.subarray(from, to)).toString('utf8');
  }

  /** Break: "\n", "\r\n" or "\r"; its length at k, or -1 */
  breakLen(k = 0): number {
    const c = this.at(k);
    if (c === LF) return 1;
    if (c === CR) return this.at(k + 1) === LF ? 2 : 1;
    return -1;
  }
  blankOrBreak(k = 0): boolean {
    return isBlank(this.at(k)) || this.breakLen(k) > 0;
  }
  blankOrBreakLen(k = 0): number {
    return isBlank(this.at(k)) ? 1 : this.breakLen(k);
  }
  /** blank, break or the end of the text */
  separated(k: number): boolean {
    return this.at(k) === EOF || this.blankOrBreak(k);
  }
  thrice(c: number): boolean {
    return this.at() === c && this.at(1) === c && this.at(2) === c && this.separated(3);
  }
  docStart(): boolean {
    return this.thrice(MINUS);
  }
  docIndicator(): boolean {
    return this.thrice(MINUS) || this.thrice(DOT);
  }
  blockEntry(): boolean {
    return this.at() === MINUS && this.separated(1);
  }
  key(): boolean {
    return this.at() === QM && this.blankOrBreak(1);
  }
  value(): boolean {
    return this.at() === COLON && this.separated(1);
  }
  valueInFlow(): boolean {
    return this.at() === COLON && (this.blankOrBreak(1) || FLOW_VALUE_FOLLOW.has(this.at(1)));
  }
  anchorChar(): boolean {
    return !NOT_ANCHOR.has(this.at()) && !this.blankOrBreak();
  }
  anchorEnd(): boolean {
    return ANCHOR_END.has(this.at()) || this.blankOrBreak();
  }
  /** a URI or tag character (or %XX): its length, or -1 */
  uriLen(chars: Set<number>): number {
    const c = this.at();
    if (isWord(c) || chars.has(c)) return 1;
    return c === PCT && isHex(this.at(1)) && isHex(this.at(2)) ? 3 : -1;
  }
  plainStart(): boolean {
    const c = this.at();
    if (this.blankOrBreak() || PLAIN_NOT_FIRST.has(c)) return false;
    return !((c === MINUS || c === QM || c === COLON) && this.separated(1));
  }
  plainStartInFlow(): boolean {
    const c = this.at();
    if (this.blankOrBreak() || PLAIN_NOT_FIRST_IN_FLOW.has(c)) return false;
    return !((c === MINUS || c === COLON) && (isBlank(this.at(1)) || this.at(1) === EOF));
  }
  /** a comment after a blank or break */
  commentAfterSpace(): boolean {
    const n = this.blankOrBreakLen();
    return n > 0 && this.at(n) === HASH;
  }
  chompLen(): number {
    const ind = (c: number): boolean => c === PLUS || c === MINUS;
    if ((ind(this.at()) && isDigit(this.at(1))) || (isDigit(this.at()) && ind(this.at(1)))) return 2;
    return ind(this.at()) || isDigit(this.at()) ? 1 : -1;
  }
}

// what ends a plain scalar (a match length, or -1)
const plainEnd = (inp: Input): number => (inp.value() || inp.commentAfterSpace() ? 0 : -1);
const plainEndInFlow = (inp: Input): number => {
  if (inp.at() === COLON && (inp.separated(1) || FLOW_VALUE_FOLLOW.has(inp.at(1)))) return 0;
  return ENDS_PLAIN_IN_FLOW.has(inp.at()) || inp.commentAfterSpace() ? 0 : -1;
};
const atEnd = (inp: Input): number => (inp.at() === EOF ? 0 : -1);

// ---------------------------------------------------------------------------------------------
// Scalars: yaml-cpp's ScanScalar, keeping only what moves the input or decides an error

interface ScalarParams {
  end: (inp: Input) => number;
  eatEnd: boolean;
  indent: number;
  detectIndent: boolean;
  eatLeadingWhitespace: boolean;
  /** the escape character: '\\', "'", or 0 (which a NUL byte then is, as in yaml-cpp) */
  escape: number;
  onDocIndicator: 'none' | 'break' | 'throw';
  tabInIndentationFails: boolean;
  /** out: the scalar ended at a line less indented than it */
  leadingSpaces: boolean;
}

function escapeChar(inp: Input): void {
  const esc = inp.get();
  const ch = inp.get();
  if (esc === SQ && ch === SQ) return;
  if ('0abt\tnvfre "\'\\/N_LP'.includes(String.fromCharCode(ch)) && ch !== EOF) return;
  if (ch === 120 || ch === 117 || ch === 85) return hexEscape(inp, ch === 120 ? 2 : ch === 117 ? 4 : 8);
  const shown = ch === EOF ? '\x04' : ch < 0x80 ? String.fromCharCode(ch) : '\ufffd';
  throw new ParseFailure(inp.mark(), M.INVALID_ESCAPE + shown);
}

function hexEscape(inp: Input, n: number): void {
  const digits: number[] = [];
  for (let k = 0; k < n; k++) digits.push(inp.get());
  let value = 0;
  for (const c of digits) {
    if (!isHex(c)) throw new ParseFailure(inp.mark(), M.INVALID_HEX);
    value = (value * 16 + parseInt(String.fromCharCode(c), 16)) % 0x100000000;
  }
  if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff)
    throw new ParseFailure(inp.mark(), M.INVALID_UNICODE + value);
}

function scanScalar(inp: Input, p: ScalarParams): void {
  let foundNonEmptyLine = false;
  p.leadingSpaces = false;
  while (inp.ok) {
    // 1: up to the line end
    while (p.end(inp) < 0 && inp.breakLen() < 0) {
      if (!inp.ok) break;
      if (inp.col === 0 && inp.docIndicator()) {
        if (p.onDocIndicator === 'break') break;
        if (p.onDocIndicator === 'throw') throw new ParseFailure(inp.mark(), M.DOC_IN_SCALAR);
      }
      foundNonEmptyLine = true;
      if (p.escape === BSLASH && inp.at() === BSLASH && inp.breakLen(1) > 0) {
        inp.get(); // an escaped line break
        break;
      }
      if (inp.at() === p.escape) {
        escapeChar(inp);
        continue;
      }
      inp.get();
    }
    if (!inp.ok) {
      if (p.eatEnd) throw new ParseFailure(inp.mark(), M.EOF_IN_SCALAR);
      break;
    }
    if (p.onDocIndicator === 'break' && inp.col === 0 && inp.docIndicator()) break;
    const n = p.end(inp);
    if (n >= 0) {
      if (p.eatEnd) inp.eat(n);
      break;
    }
    // 2: the line break
    inp.eat(inp.breakLen());
    // 3: the indentation of the next line
    while (inp.at() === SP && (inp.col < p.indent || (p.detectIndent && !foundNonEmptyLine)) && p.end(inp) < 0)
      inp.eat(1);
    if (p.detectIndent && !foundNonEmptyLine) p.indent = Math.max(p.indent, inp.col);
    while (isBlank(inp.at())) {
      if (inp.at() === TAB && inp.col < p.indent && p.tabInIndentationFails)
        throw new ParseFailure(inp.mark(), M.TAB_IN_INDENTATION);
      if (!p.eatLeadingWhitespace || p.end(inp) >= 0) break;
      inp.eat(1);
    }
    const emptyLine = inp.breakLen() > 0;
    if (!emptyLine && inp.col < p.indent) {
      p.leadingSpaces = true;
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The scanner: tokens, as yaml-cpp queues them (simple keys stay unverified until a ':' or
// their line's end decides them, and hold back the tokens after them)

export type TokenType =
  | 'DIRECTIVE'
  | 'DOC_START'
  | 'DOC_END'
  | 'BLOCK_SEQ_START'
  | 'BLOCK_MAP_START'
  | 'BLOCK_SEQ_END'
  | 'BLOCK_MAP_END'
  | 'BLOCK_ENTRY'
  | 'FLOW_SEQ_START'
  | 'FLOW_MAP_START'
  | 'FLOW_SEQ_END'
  | 'FLOW_MAP_END'
  | 'FLOW_ENTRY'
  | 'KEY'
  | 'VALUE'
  | 'ANCHOR'
  | 'ALIAS'
  | 'TAG'
  | 'PLAIN_SCALAR'
  | 'NON_PLAIN_SCALAR';

const VALID = 0,
  INVALID = 1,
  UNVERIFIED = 2;

export interface Token {
  type: TokenType;
  mark: Mark;
  status: number;
  /** directive name, anchor/alias name, tag handle or value, plain scalar text if on one line */
  value: string;
  params: string[];
  tagKind?: 'verbatim' | 'primary' | 'secondary' | 'named' | 'non-specific';
}

interface Indent {
  col: number;
  type: 'map' | 'seq' | 'none';
  status: number;
  start: Token | null;
}

interface SimpleKey {
  mark: Mark;
  flowLevel: number;
  indent: Indent | null;
  mapStart: Token | null;
  key: Token | null;
}

export class Scanner {
  private readonly tokens: Token[] = [];
  private head = 0;
  private started = false;
  private ended = false;
  private simpleKeyAllowed = false;
  private scalarValueAllowed = false;
  private canBeJSONFlow = false;
  private simpleKeys: SimpleKey[] = [];
  private readonly indents: Indent[] = [];
  private readonly flows: ('map' | 'seq')[] = [];

  constructor(readonly inp: Input) {}

  empty(): boolean {
    this.ensureTokens();
    return this.head >= this.tokens.length;
  }
  peek(): Token {
    this.ensureTokens();
    return this.tokens[this.head];
  }
  pop(): void {
    this.ensureTokens();
    if (this.head < this.tokens.length) this.head++;
  }
  mark(): Mark {
    return this.inp.mark();
  }

  private ensureTokens(): void {
    for (;;) {
      if (this.head < this.tokens.length) {
        const t = this.tokens[this.head];
        if (t.status === VALID) return;
        if (t.status === INVALID) {
          this.head++;
          continue;
        }
      }
      if (this.ended) return;
      this.scanNextToken();
    }
  }

  private get inFlow(): boolean {
    return this.flows.length > 0;
  }

  private push(type: TokenType, mark: Mark = this.inp.mark()): Token {
    const t: Token = { type, mark, status: VALID, value: '', params: [] };
    this.tokens.push(t);
    return t;
  }

  private scanNextToken(): void {
    const inp = this.inp;
    if (this.ended) return;
    if (!this.started) return this.startStream();
    this.scanToNextToken();
    this.popIndentToHere();
    if (!inp.ok) return this.endStream();
    const c = inp.at();
    if (inp.col === 0 && c === PCT) return this.scanDirective();
    if (inp.col === 0 && inp.docStart()) return this.scanDocMarker('DOC_START');
    if (inp.col === 0 && inp.thrice(DOT)) return this.scanDocMarker('DOC_END');
    if (c === LBRACKET || c === LBRACE) return this.scanFlowStart();
    if (c === RBRACKET || c === RBRACE) return this.scanFlowEnd();
    if (c === COMMA) {
      if (inp.col === 0) throw new ParseFailure(inp.mark(), M.UNEXPECTED_FLOW);
      if (!this.scalarValueAllowed) throw new ParseFailure(inp.mark(), M.UNEXPECTED_SCALAR);
      return this.scanFlowEntry();
    }
    if (inp.blockEntry()) return this.scanBlockEntry();
    if (inp.key()) return this.scanKey();
    if (!this.inFlow ? inp.value() : this.canBeJSONFlow ? c === COLON : inp.valueInFlow()) return this.scanValue();
    if (c === STAR || c === AMP) return this.scanAnchorOrAlias();
    if (c === BANG) return this.scanTag();
    if (!this.inFlow && (c === PIPE || c === GT)) return this.scanBlockScalar();
    if (!this.scalarValueAllowed) throw new ParseFailure(inp.mark(), M.UNEXPECTED_SCALAR);
    if (c === SQ || c === DQ) return this.scanQuotedScalar();
    if (this.inFlow ? inp.plainStartInFlow() : inp.plainStart()) return this.scanPlainScalar();
    throw new ParseFailure(inp.mark(), M.UNKNOWN_TOKEN);
  }

  private scanToNextToken(): void {
    const inp = this.inp;
    for (;;) {
      while (inp.ok && isBlank(inp.at())) {
        // a tab may separate tokens, but not indent: no simple key after it on this line
        if (!this.inFlow && inp.at() === TAB) this.simpleKeyAllowed = false;
        inp.eat(1);
      }
      if (inp.at() === HASH) while (inp.ok && inp.breakLen() < 0) inp.eat(1);
      const n = inp.breakLen();
      if (n < 0) break;
      inp.eat(n);
      this.invalidateSimpleKey();
      this.scalarValueAllowed = true;
      if (!this.inFlow) this.simpleKeyAllowed = true;
    }
  }

  private startStream(): void {
    this.started = true;
    this.simpleKeyAllowed = true;
    this.scalarValueAllowed = true;
    this.indents.push({ col: -1, type: 'none', status: VALID, start: null });
  }

  private endStream(): void {
    if (this.inp.col > 0) this.inp.resetColumn();
    this.popAllIndents();
    this.simpleKeys = [];
    this.simpleKeyAllowed = false;
    this.scalarValueAllowed = false;
    this.ended = true;
  }

  // indentation

  private topIndent(): number {
    return this.indents.length === 0 ? 0 : this.indents[this.indents.length - 1].col;
  }

  private pushIndentTo(col: number, type: 'map' | 'seq'): Indent | null {
    if (this.inFlow) return null;
    const last = this.indents[this.indents.length - 1];
    if (col < last.col) return null;
    if (col === last.col && !(type === 'seq' && last.type === 'map')) return null;
    const ind: Indent = {
      col,
      type,
      status: VALID,
      start: this.push(type === 'seq' ? 'BLOCK_SEQ_START' : 'BLOCK_MAP_START'),
    };
    this.indents.push(ind);
    return ind;
  }

  private popIndentToHere(): void {
    if (this.inFlow) return;
    const inp = this.inp;
    while (this.indents.length > 0) {
      const ind = this.indents[this.indents.length - 1];
      if (ind.col < inp.col) break;
      if (ind.col === inp.col && !(ind.type === 'seq' && !inp.blockEntry())) break;
      this.popIndent();
    }
    while (this.indents.length > 0 && this.indents[this.indents.length - 1].status === INVALID) this.popIndent();
  }

  private popAllIndents(): void {
    if (this.inFlow) return;
    while (this.indents.length > 0 && this.indents[this.indents.length - 1].type !== 'none') this.popIndent();
  }

  private popIndent(): void {
    const ind = this.indents.pop()!;
    if (ind.status !== VALID) {
      this.invalidateSimpleKey();
      return;
    }
    if (ind.type === 'seq') this.push('BLOCK_SEQ_END');
    else if (ind.type === 'map') this.push('BLOCK_MAP_END');
  }

  // simple keys

  private insertPotentialSimpleKey(): void {
    if (!this.simpleKeyAllowed) return;
    const top = this.simpleKeys[this.simpleKeys.length - 1];
    if (top !== undefined && top.flowLevel === this.flows.length) return;
    const key: SimpleKey = {
      mark: this.inp.mark(),
      flowLevel: this.flows.length,
      indent: null,
      mapStart: null,
      key: null,
    };
    if (!this.inFlow) {
      key.indent = this.pushIndentTo(this.inp.col, 'map');
      if (key.indent) {
        key.indent.status = UNVERIFIED;
        key.mapStart = key.indent.start;
        key.mapStart!.status = UNVERIFIED;
      }
    }
    key.key = this.push('KEY');
    key.key.status = UNVERIFIED;
    this.simpleKeys.push(key);
  }

  private settle(key: SimpleKey, status: number): void {
    if (key.indent) key.indent.status = status;
    if (key.mapStart) key.mapStart.status = status;
    if (key.key) key.key.status = status;
  }

  private invalidateSimpleKey(): void {
    const key = this.simpleKeys[this.simpleKeys.length - 1];
    if (key === undefined || key.flowLevel !== this.flows.length) return;
    this.settle(key, INVALID);
    this.simpleKeys.pop();
  }

  private verifySimpleKey(): boolean {
    const key = this.simpleKeys[this.simpleKeys.length - 1];
    if (key === undefined || key.flowLevel !== this.flows.length) return false;
    this.simpleKeys.pop();
    // a simple key is on one line and at most 1024 bytes long
    const valid = this.inp.line === key.mark.line && this.inp.i - key.mark.pos <= 1024;
    this.settle(key, valid ? VALID : INVALID);
    return valid;
  }

  // tokens

  private scanDirective(): void {
    const inp = this.inp;
    this.popAllIndents();
    this.simpleKeys = [];
    this.simpleKeyAllowed = false;
    this.canBeJSONFlow = false;
    const t: Token = { type: 'DIRECTIVE', mark: inp.mark(), status: VALID, value: '', params: [] };
    inp.eat(1);
    const from = inp.i;
    while (inp.ok && !inp.blankOrBreak()) inp.get();
    t.value = inp.text(from, inp.i);
    for (;;) {
      while (isBlank(inp.at())) inp.eat(1);
      if (!inp.ok || inp.breakLen() > 0 || inp.at() === HASH) break;
      const p = inp.i;
      while (inp.ok && !inp.blankOrBreak()) inp.get();
      t.params.push(inp.text(p, inp.i));
    }
    this.tokens.push(t);
  }

  private scanDocMarker(type: 'DOC_START' | 'DOC_END'): void {
    this.popAllIndents();
    this.simpleKeys = [];
    this.simpleKeyAllowed = false;
    this.canBeJSONFlow = false;
    const mark = this.inp.mark();
    this.inp.eat(3);
    this.push(type, mark);
  }

  private scanFlowStart(): void {
    this.insertPotentialSimpleKey();
    this.simpleKeyAllowed = true;
    this.canBeJSONFlow = false;
    const mark = this.inp.mark();
    const seq = this.inp.get() === LBRACKET;
    this.flows.push(seq ? 'seq' : 'map');
    this.push(seq ? 'FLOW_SEQ_START' : 'FLOW_MAP_START', mark);
  }

  /** a ',' or closing bracket ends a flow map entry that had no ':' */
  private soloFlowEntry(): void {
    if (!this.inFlow) return;
    const top = this.flows[this.flows.length - 1];
    if (top === 'map' && this.verifySimpleKey()) this.push('VALUE');
    else if (top === 'seq') this.invalidateSimpleKey();
  }

  private scanFlowEnd(): void {
    const inp = this.inp;
    if (!this.inFlow) throw new ParseFailure(inp.mark(), M.FLOW_END);
    this.soloFlowEntry();
    this.simpleKeyAllowed = false;
    this.canBeJSONFlow = true;
    const mark = inp.mark();
    const seq = inp.get() === RBRACKET;
    if (this.flows[this.flows.length - 1] !== (seq ? 'seq' : 'map')) throw new ParseFailure(mark, M.FLOW_END);
    this.flows.pop();
    this.push(seq ? 'FLOW_SEQ_END' : 'FLOW_MAP_END', mark);
  }

  private scanFlowEntry(): void {
    this.soloFlowEntry();
    this.simpleKeyAllowed = true;
    this.canBeJSONFlow = false;
    const mark = this.inp.mark();
    this.inp.eat(1);
    this.push('FLOW_ENTRY', mark);
  }

  private scanBlockEntry(): void {
    const inp = this.inp;
    if (this.inFlow || !this.simpleKeyAllowed) throw new ParseFailure(inp.mark(), M.BLOCK_ENTRY);
    this.pushIndentTo(inp.col, 'seq');
    this.simpleKeyAllowed = true;
    this.canBeJSONFlow = false;
    const mark = inp.mark();
    inp.eat(1);
    this.push('BLOCK_ENTRY', mark);
  }

  private scanKey(): void {
    const inp = this.inp;
    if (!this.inFlow) {
      if (!this.simpleKeyAllowed) throw new ParseFailure(inp.mark(), M.MAP_KEY);
      this.pushIndentTo(inp.col, 'map');
    }
    this.simpleKeyAllowed = !this.inFlow;
    const mark = inp.mark();
    inp.eat(1);
    this.push('KEY', mark);
  }

  private scanValue(): void {
    const inp = this.inp;
    const isSimpleKey = this.verifySimpleKey();
    this.canBeJSONFlow = false;
    if (isSimpleKey) this.simpleKeyAllowed = false;
    else {
      if (!this.inFlow) {
        if (!this.simpleKeyAllowed) throw new ParseFailure(inp.mark(), M.MAP_VALUE);
        this.pushIndentTo(inp.col, 'map');
      }
      this.simpleKeyAllowed = !this.inFlow;
    }
    this.scalarValueAllowed = true;
    const mark = inp.mark();
    inp.eat(1);
    this.push('VALUE', mark);
  }

  private scanAnchorOrAlias(): void {
    const inp = this.inp;
    this.insertPotentialSimpleKey();
    this.simpleKeyAllowed = false;
    this.canBeJSONFlow = false;
    const mark = inp.mark();
    const alias = inp.get() === STAR;
    const from = inp.i;
    while (inp.ok && inp.anchorChar()) inp.get();
    if (inp.i === from) throw new ParseFailure(inp.mark(), alias ? M.ALIAS_NOT_FOUND : M.ANCHOR_NOT_FOUND);
    if (inp.ok && !inp.anchorEnd()) throw new ParseFailure(inp.mark(), alias ? M.CHAR_IN_ALIAS : M.CHAR_IN_ANCHOR);
    this.push(alias ? 'ALIAS' : 'ANCHOR', mark).value = inp.text(from, inp.i);
  }

  private scanTag(): void {
    const inp = this.inp;
    this.insertPotentialSimpleKey();
    this.simpleKeyAllowed = false;
    this.canBeJSONFlow = false;
    const t: Token = { type: 'TAG', mark: inp.mark(), status: VALID, value: '', params: [] };
    inp.get();
    if (inp.ok && inp.at() === LT) {
      // verbatim: !<uri>
      inp.get();
      const from = inp.i;
      for (;;) {
        if (!inp.ok) throw new ParseFailure(inp.mark(), M.END_OF_VERBATIM_TAG);
        if (inp.at() === GT) {
          t.value = inp.text(from, inp.i);
          inp.get();
          break;
        }
        const n = inp.uriLen(URI_CHARS);
        if (n <= 0) throw new ParseFailure(inp.mark(), M.END_OF_VERBATIM_TAG);
        inp.eat(n);
      }
      t.tagKind = 'verbatim';
    } else {
      // a handle (word characters up to a '!'), or the tag itself
      let canBeHandle = true;
      let firstNonWord: Mark = { pos: 0, line: 0, col: 0 };
      const from = inp.i;
      while (inp.ok) {
        if (inp.at() === BANG) {
          if (!canBeHandle) throw new ParseFailure(firstNonWord, M.CHAR_IN_TAG_HANDLE);
          break;
        }
        let n = 0;
        if (canBeHandle) {
          n = isWord(inp.at()) ? 1 : -1;
          if (n <= 0) {
            canBeHandle = false;
            firstNonWord = inp.mark();
          }
        }
        if (!canBeHandle) n = inp.uriLen(TAG_CHARS);
        if (n <= 0) break;
        inp.eat(n);
      }
      t.value = inp.text(from, inp.i);
      t.tagKind = !canBeHandle && t.value === '' ? 'non-specific' : t.value === '' ? 'secondary' : 'primary';
      if (canBeHandle && inp.at() === BANG) {
        inp.get();
        const s = inp.i;
        for (let n = inp.uriLen(TAG_CHARS); inp.ok && n > 0; n = inp.uriLen(TAG_CHARS)) inp.eat(n);
        if (inp.i === s) throw new ParseFailure(inp.mark(), M.TAG_WITH_NO_SUFFIX);
        t.params.push(inp.text(s, inp.i));
        t.tagKind = 'named';
      }
    }
    this.tokens.push(t);
  }

  private scanPlainScalar(): void {
    const inp = this.inp;
    const p: ScalarParams = {
      end: this.inFlow ? plainEndInFlow : plainEnd,
      eatEnd: false,
      indent: this.inFlow ? 0 : this.topIndent() + 1,
      detectIndent: false,
      eatLeadingWhitespace: true,
      escape: 0,
      onDocIndicator: 'break',
      tabInIndentationFails: true,
      leadingSpaces: false,
    };
    this.insertPotentialSimpleKey();
    const mark = inp.mark();
    scanScalar(inp, p);
    this.simpleKeyAllowed = p.leadingSpaces;
    this.canBeJSONFlow = false;
    // the text, if it is on one line (only a null document's "~", "null" or "" matter)
    const text = inp.text(mark.pos, inp.i).replace(/[ \t\r\n]+$/, '');
    this.push('PLAIN_SCALAR', mark).value = /[\r\n]/.test(text) ? '\n' : text;
  }

  private scanQuotedScalar(): void {
    const inp = this.inp;
    const single = inp.at() === SQ;
    const p: ScalarParams = {
      end: single ? (i) => (i.at() === SQ && i.at(1) !== SQ ? 1 : -1) : (i) => (i.at() === DQ ? 1 : -1),
      eatEnd: true,
      indent: 0,
      detectIndent: false,
      eatLeadingWhitespace: true,
      escape: single ? SQ : BSLASH,
      onDocIndicator: 'throw',
      tabInIndentationFails: false,
      leadingSpaces: false,
    };
    this.insertPotentialSimpleKey();
    const mark = inp.mark();
    inp.get();
    scanScalar(inp, p);
    this.simpleKeyAllowed = false;
    // after a quoted scalar, another scalar on its line only inside a flow collection
    this.scalarValueAllowed = this.inFlow;
    this.canBeJSONFlow = true;
    this.push('NON_PLAIN_SCALAR', mark);
  }

  private scanBlockScalar(): void {
    const inp = this.inp;
    const p: ScalarParams = {
      end: atEnd,
      eatEnd: false,
      indent: 1,
      detectIndent: true,
      eatLeadingWhitespace: false,
      escape: 0,
      onDocIndicator: 'none',
      tabInIndentationFails: true,
      leadingSpaces: false,
    };
    const mark = inp.mark();
    inp.get();
    const n = inp.chompLen();
    for (let k = 0; k < n; k++) {
      const ch = inp.get();
      if (isDigit(ch)) {
        if (ch === 48) throw new ParseFailure(inp.mark(), M.ZERO_INDENT_IN_BLOCK);
        p.indent = ch - 48;
        p.detectIndent = false;
      }
    }
    while (isBlank(inp.at())) inp.eat(1);
    if (inp.at() === HASH) while (inp.ok && inp.breakLen() < 0) inp.eat(1);
    if (inp.ok && inp.breakLen() < 0) throw new ParseFailure(inp.mark(), M.CHAR_IN_BLOCK);
    if (this.topIndent() >= 0) p.indent += this.topIndent();
    scanScalar(inp, p);
    this.simpleKeyAllowed = true;
    this.canBeJSONFlow = false;
    this.push('NON_PLAIN_SCALAR', mark);
  }
}
