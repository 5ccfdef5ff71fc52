/**
 * Filter errors: one class for parse and compile errors, always carrying the position.
 *
 * libsinsp throws a plain exception and lets the caller paste `parser.get_pos()` in front of it
 * ("filter error at index N, line L, column C: ..."); here the position lives in the error
 * (babel/acorn style), and `message` stays the bare libsinsp text so callers can match on it
 * (Falco's `skip-if-unknown-filter` keys off "filter_check called with nonexistent field").
 *
 * Positions are 0-based offsets into the *byte string* the parser saw (the UTF-8 bytes of the
 * filter text, one latin1 char per byte), as libsinsp counts them; line and column are 1-based
 * and follow libsinsp's rule: '\r' and '\n' each start a new line.
 */

/** A compile-time warning (libsinsp's `m_warnings`: {message, pos}). */
export interface FilterWarning {
  readonly message: string;
  readonly pos: number;
}

export type FilterErrorKind = 'parse' | 'compile';

export class FilterError extends Error {
  /** 0-based offset (bytes) where the error was detected. */
  readonly pos: number;
  /** 1-based line / column of `pos` (libsinsp counting). */
  readonly line: number;
  readonly column: number;
  /** 'parse' for grammar errors, 'compile' for typing/field errors. */
  readonly kind: FilterErrorKind;
  /**
   * When the error was raised inside an expanded macro: the macro names from outermost to
   * innermost. `pos/line/column` are then relative to the innermost macro's condition text.
   */
  macroChain: string[];

  constructor(message: string, pos: number, text: string, kind: FilterErrorKind, macroChain: string[] = []) {
    super(message);
    this.name = 'FilterError';
    this.pos = pos;
    const lc = lineCol(text, pos);
    this.line = lc.line;
    this.column = lc.column;
    this.kind = kind;
    this.macroChain = macroChain;
  }

  /** "filter error at position N: message", as the CLI prints it. */
  toCliString(): string {
    return `filter error at position ${this.pos}: ${this.message}`;
  }

  /** libsinsp's exact wording: "filter error at index N, line L, column C: message". */
  toLibsString(): string {
    return `filter error at index ${this.pos}, line ${this.line}, column ${this.column}: ${this.message}`;
  }
}

/** 1-based line and column of a 0-based offset, counting like libsinsp's update_pos(). */
export function lineCol(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    column++;
    if (c === 13 || c === 10) {
      column = 1;
      line++;
    }
  }
  return { line, column };
}
