/**
 * The filter lexer: a byte-for-byte port of libsinsp's scannerless lexing helpers
 * (`libsinsp/filter/parser.cpp` lex_* methods and `escaping.cpp`).
 *
 * The parser drives it: each `lexX()` tries one token kind at the cursor, consumes it and
 * sets `lastToken` on success, or leaves the cursor unchanged on failure. Token regexes
 * (POSIX, matched longest-first at the cursor like RE2::Consume in POSIX mode):
 *
 *   NotBlank        not[[:space:]]+
 *   Identifier      [a-zA-Z]+[a-zA-Z0-9_]*
 *   FieldName       [a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+
 *   FieldArgBareStr [^][\"'[:space:]]+
 *   HexNumber       0[xX][0-9a-fA-F]+
 *   Number          [+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)?
 *   BareStr         [^()\"'[:space:]=,]+
 *   QuotedStr       '...' or "..." — ends at the first same quote not preceded by a backslash
 *
 * Blanks between tokens are [ \t\b\r\n] (note: \b is a blank, \v and \f are not, although
 * [[:space:]] in the token regexes includes \v and \f and not \b — exactly as in libsinsp).
 *
 * The input is a byte string (one latin1 char per byte); offsets are byte offsets.
 */

/** Operators as data, in the order libsinsp tries them. A trailing space = "needs a blank after". */
export const UNARY_OPS: readonly string[] = ['exists'];
export const NUM_OPS: readonly string[] = ['<=', '<', '>=', '>'];
export const STR_OPS: readonly string[] = [
  '==',
  '=',
  '!=',
  'glob ',
  'iglob ',
  'contains ',
  'icontains ',
  'bcontains ',
  'startswith ',
  'bstartswith ',
  'endswith ',
  'regex ',
];
export const STR_MODIFIERS: readonly string[] = ['oneof ', 'anyof ', 'allof '];
export const LIST_OPS: readonly string[] = ['intersects', 'in', 'pmatch'];
export const VAL_TRANSFORMER = 'val(';
export const TRANSFORMERS: readonly string[] = [
  'tolower(',
  'toupper(',
  'b64(',
  'basename(',
  'len(',
  'join(',
  'concat(',
  'getopt(',
];

/** Every operator name, trimmed (libsinsp parser::supported_operators). */
export function supportedOperators(listOnly = false): string[] {
  if (listOnly) return [...LIST_OPS];
  return [...UNARY_OPS, ...NUM_OPS, ...STR_OPS, ...LIST_OPS].map((s) => s.trim());
}

/** Transformer names (libsinsp parser::supported_field_transformers). */
export function supportedTransformers(includeVal = false): string[] {
  const r = includeVal ? [VAL_TRANSFORMER.slice(0, -1)] : [];
  for (const t of TRANSFORMERS) r.push(t.slice(0, -1));
  return r;
}

// character classes on char codes
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 95;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** POSIX [[:space:]]: space \t \n \v \f \r */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
/** lex_blank's set: space \t \b \r \n */
const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 8 || c === 13 || c === 10;

/** Thrown by unescape; the parser turns it into a positioned FilterError. */
export class LexError extends Error {}

/**
 * libsinsp unescape_str(): `raw` includes the delimiters.
 * \b \f \n \r \t → control chars; \\ → \ ; \/ → / ; "\ " → \ (the space is dropped);
 * \" only inside "…", \' only inside '…'; anything else (including \x) is an error.
 */
export function unescapeQuoted(raw: string): string {
  let res = '';
  const q = raw[0];
  const len = raw.length - 1;
  let escaped = false;
  for (let i = 1; i < len; i++) {
    const c = raw[i];
    if (!escaped) {
      if (c === '\\') escaped = true;
      else res += c;
      continue;
    }
    switch (c) {
      case 'b':
        res += '\b';
        break;
      case 'f':
        res += '\f';
        break;
      case 'n':
        res += '\n';
        break;
      case 'r':
        res += '\r';
        break;
      case 't':
        res += '\t';
        break;
      case ' ': // kept by libsinsp for an old, wrongly escaped Falco rule
      case '\\':
        res += '\\';
        break;
      case '/':
        res += '/';
        break;
      case '"':
        if (q !== c) throw new LexError('invalid \\" escape in \'-quoted string');
        res += '"';
        break;
      case "'":
        if (q !== c) throw new LexError('invalid \\\' escape in "-quoted string');
        res += "'";
        break;
      default:
        throw new LexError('unsupported string escape sequence: \\' + c);
    }
    escaped = false;
  }
  return res;
}

export class Lexer {
  readonly text: string;
  pos = 0;
  /** Text of the last token consumed (unescaped for quoted strings); lexBlank leaves it alone. */
  lastToken = '';
  /** Whether the last successful lexQuotedStr() produced lastToken. */
  lastWasQuoted = false;

  constructor(text: string) {
    this.text = text;
  }

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private code(i: number): number {
    return i < this.text.length ? this.text.charCodeAt(i) : -1;
  }

  private take(end: number): true {
    this.lastToken = this.text.slice(this.pos, end);
    this.lastWasQuoted = false;
    this.pos = end;
    return true;
  }

  /** Consumes [ \t\b\r\n]*; true if at least one blank was consumed. */
  lexBlank(): boolean {
    const start = this.pos;
    while (isBlank(this.code(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** Literal prefix match (strncmp), no word boundary. */
  lexStr(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    return this.take(this.pos + s.length);
  }

  lexStrList(list: readonly string[]): boolean {
    for (const s of list) if (this.lexStr(s)) return true;
    return false;
  }

  /**
   * libsinsp lex_helper_operator_list: entries ending in a space need a blank after the word
   * (the blank is consumed, lastToken is the bare word); others match as plain prefixes.
   */
  lexOperatorList(list: readonly string[]): boolean {
    for (const op of list) {
      if (!op.endsWith(' ')) {
        if (this.lexStr(op)) return true;
        continue;
      }
      const savedPos = this.pos;
      const savedTok = this.lastToken;
      const savedQ = this.lastWasQuoted;
      if (this.lexStr(op.slice(0, -1))) {
        if (this.lexBlank()) return true;
        this.pos = savedPos;
        this.lastToken = savedTok;
        this.lastWasQuoted = savedQ;
      }
    }
    return false;
  }

  /** not[[:space:]]+ */
  lexNotBlank(): boolean {
    if (!this.text.startsWith('not', this.pos)) return false;
    let i = this.pos + 3;
    if (!isSpace(this.code(i))) return false;
    while (isSpace(this.code(i))) i++;
    return this.take(i);
  }

  private identEnd(i: number): number {
    if (!isAlpha(this.code(i))) return -1;
    i++;
    while (isIdentChar(this.code(i))) i++;
    return i;
  }

  lexIdentifier(): boolean {
    const e = this.identEnd(this.pos);
    return e < 0 ? false : this.take(e);
  }

  lexFieldName(): boolean {
    let e = this.identEnd(this.pos);
    if (e < 0) return false;
    let parts = 0;
    while (this.code(e) === 46 /* . */) {
      const n = this.identEnd(e + 1);
      if (n < 0) break;
      e = n;
      parts++;
    }
    return parts === 0 ? false : this.take(e);
  }

  /** [^][\"'[:space:]]+ */
  lexFieldArgBareStr(): boolean {
    let i = this.pos;
    for (;;) {
      const c = this.code(i);
      if (c < 0 || c === 91 || c === 93 || c === 34 || c === 39 || isSpace(c)) break;
      i++;
    }
    return i === this.pos ? false : this.take(i);
  }

  /** 0[xX][0-9a-fA-F]+ */
  lexHexNum(): boolean {
    const p = this.pos;
    if (this.code(p) !== 48) return false;
    const x = this.code(p + 1);
    if (x !== 120 && x !== 88) return false;
    let i = p + 2;
    while (isHex(this.code(i))) i++;
    return i === p + 2 ? false : this.take(i);
  }

  /** [+\-]?[0-9]+[\.]?[0-9]*([eE][+\-][0-9]+)? (longest match) */
  lexNum(): boolean {
    let i = this.pos;
    const s = this.code(i);
    if (s === 43 || s === 45) i++;
    if (!isDigit(this.code(i))) return false;
    while (isDigit(this.code(i))) i++;
    if (this.code(i) === 46) i++;
    while (isDigit(this.code(i))) i++;
    const e = this.code(i);
    if (e === 101 || e === 69) {
      const sg = this.code(i + 1);
      if ((sg === 43 || sg === 45) && isDigit(this.code(i + 2))) {
        i += 2;
        while (isDigit(this.code(i))) i++;
      }
    }
    return this.take(i);
  }

  /** [^()\"'[:space:]=,]+ */
  lexBareStr(): boolean {
    let i = this.pos;
    for (;;) {
      const c = this.code(i);
      if (c < 0 || c === 40 || c === 41 || c === 34 || c === 39 || c === 61 || c === 44 || isSpace(c)) break;
      i++;
    }
    return i === this.pos ? false : this.take(i);
  }

  /**
   * A quoted string: scans to the first delimiter not *immediately* preceded by a backslash
   * (so "abc\\" never closes), then unescapes. A NUL byte ends the scan (C string).
   * On an unterminated string: returns false, cursor unchanged, lastToken = "" (as libsinsp).
   * Throws LexError for a bad escape (cursor is then just past the closing quote).
   */
  lexQuotedStr(): boolean {
    const d = this.code(this.pos);
    if (d !== 39 && d !== 34) return false;
    let prev = 92; // '\\': the opening quote itself can never close the string
    this.lastToken = '';
    for (let i = this.pos; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 0) break;
      if (c === d && prev !== 92) {
        const raw = this.text.slice(this.pos, i + 1);
        this.pos = i + 1;
        this.lastToken = unescapeQuoted(raw);
        this.lastWasQuoted = true;
        return true;
      }
      prev = c;
    }
    return false;
  }

  /** True if the next chars are and/or/not not followed by an alphanumeric (modifier lookahead). */
  boolKeywordFollows(): boolean {
    for (const kw of ['and', 'or', 'not']) {
      if (this.text.startsWith(kw, this.pos)) {
        const c = this.code(this.pos + kw.length);
        if (c < 0 || !(isAlpha(c) || isDigit(c))) return true;
      }
    }
    return false;
  }

  /** '(' or an identifier follows (modifier lookahead); consumes nothing. */
  listValueFollows(): boolean {
    if (this.code(this.pos) === 40) return true;
    return this.identEnd(this.pos) >= 0;
  }
}
