/**
 * `regex`: RE2 in POSIX mode (`re2::RE2::POSIX`), anchored at both ends, in linear time.
 *
 * Why a private engine instead of JS RegExp: V8's irregexp backtracks, so `(a*)*b` against a
 * long run of "a" is exponential, and a rule's regex runs on every event. RE2 guarantees
 * linear time; translating the pattern to a RegExp cannot. A boolean full match needs no
 * captures and no leftmost-longest bookkeeping (the answer is "is the whole text in the
 * language"), so a Thompson NFA run as a *lazily built DFA* is enough: each (NFA state set,
 * at-line-start) pair becomes a DFA node whose byte transitions are cached; time is
 * O(len(text)) once warm and O(len(text) * states) worst case; the cache is bounded and
 * reset when full (as RE2 does).
 *
 * Syntax accepted (RE2 with posix_syntax=true, i.e. no Perl extensions):
 *   literals, `.` (any char but \n), `[...]` (ranges, `[^...]` — which also matches \n —,
 *   `[:alpha:]`-style classes), `^`/`$` (line anchors: one_line is off), `|`, `(...)`, `*`,
 *   `+`, `?`, `{n}`, `{n,}`, `{n,m}` (≤ 1000), escapes `\.`-style punctuation, `\n \t \r \f
 *   \v \a`, `\0oo` octal, `\xHH`, `\x{H…}`.
 *   Rejected like RE2: `\d \w \s \b \A \z \p`, `(?…)`, backreferences, non-greedy is just
 *   a repeated `?`. Errors carry RE2's wording ("invalid escape sequence: \d", …).
 *
 * Text and pattern are UTF-8 (RE2's default encoding): the pattern byte string is decoded as
 * UTF-8 (invalid → "invalid UTF-8"), and so is the text, where an invalid byte matches nothing
 * (so, as in RE2, a text that is not valid UTF-8 never fully matches).
 */

export class RegexSyntaxError extends Error {}

// ---- UTF-8 --------------------------------------------------------------------------------------

/** Decodes the rune at s[i] (byte string); returns rune * 8 + length, or -1 * 8 - 1 for an invalid byte. */
function decodeAt(s: string, i: number): number {
  const c0 = s.charCodeAt(i);
  if (c0 < 0x80) return c0 * 8 + 1;
  const n = s.length;
  if (c0 >= 0xc2 && c0 <= 0xdf) {
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    if ((c1 & 0xc0) === 0x80) return (((c0 & 0x1f) << 6) | (c1 & 0x3f)) * 8 + 2;
  } else if (c0 >= 0xe0 && c0 <= 0xef) {
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    const c2 = i + 2 < n ? s.charCodeAt(i + 2) : 0;
    if ((c1 & 0xc0) === 0x80 && (c2 & 0xc0) === 0x80 && (c0 !== 0xe0 || c1 >= 0xa0)) {
      return (((c0 & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)) * 8 + 3;
    }
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
    const c2 = i + 2 < n ? s.charCodeAt(i + 2) : 0;
    const c3 = i + 3 < n ? s.charCodeAt(i + 3) : 0;
    if (
      (c1 & 0xc0) === 0x80 &&
      (c2 & 0xc0) === 0x80 &&
      (c3 & 0xc0) === 0x80 &&
      (c0 !== 0xf0 || c1 >= 0x90) &&
      (c0 !== 0xf4 || c1 < 0x90)
    ) {
      return (((c0 & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)) * 8 + 4;
    }
  }
  return -9; // rune -1, length 1
}

// ---- AST ----------------------------------------------------------------------------------------

/** Rune set as sorted, merged [lo, hi] pairs. */
type Ranges = number[];

type RNode =
  | { k: 'set'; r: Ranges }
  | { k: 'cat'; a: RNode[] }
  | { k: 'alt'; a: RNode[] }
  | { k: 'rep'; x: RNode; min: number; max: number } // max -1 = unbounded
  | { k: 'bol' }
  | { k: 'eol' }
  | { k: 'empty' };

const MAX_RUNE = 0x10ffff;

function normRanges(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i], r[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) {
      if (hi > out[n - 1]) out[n - 1] = hi;
    } else out.push(lo, hi);
  }
  return out;
}

function negateRanges(r: Ranges): Ranges {
  const n = normRanges(r);
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if (n[i] > next) out.push(next, n[i] - 1);
    next = n[i + 1] + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

const POSIX_CLASSES: Record<string, Ranges> = {
  alnum: [48, 57, 65, 90, 97, 122],
  alpha: [65, 90, 97, 122],
  ascii: [0, 127],
  blank: [9, 9, 32, 32],
  cntrl: [0, 31, 127, 127],
  digit: [48, 57],
  graph: [33, 126],
  lower: [97, 122],
  print: [32, 126],
  punct: [33, 47, 58, 64, 91, 96, 123, 126],
  space: [9, 13, 32, 32],
  upper: [65, 90],
  word: [48, 57, 65, 90, 95, 95, 97, 122],
  xdigit: [48, 57, 65, 70, 97, 102],
};

const MAX_REPEAT = 1000;
const MAX_NEST = 1000;

const isAsciiAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAsciiDigit = (c: number): boolean => c >= 48 && c <= 57;
const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** Parser over the pattern decoded to runes. */
class RegexParser {
  private readonly runes: number[];
  private i = 0;
  private depth = 0;

  constructor(private readonly src: string) {
    const runes: number[] = [];
    for (let i = 0; i < src.length;) {
      const d = decodeAt(src, i);
      if (d < 0) throw new RegexSyntaxError('invalid UTF-8');
      runes.push(d >> 3);
      i += d & 7;
    }
    this.runes = runes;
  }

  private peek(o = 0): number {
    return this.i + o < this.runes.length ? this.runes[this.i + o] : -1;
  }
  private text(from: number, to = this.i): string {
    return String.fromCodePoint(...this.runes.slice(from, to));
  }
  private err(code: string, arg: string): never {
    throw new RegexSyntaxError(arg === '' ? code : `${code}: ${arg}`);
  }

  parse(): RNode {
    const n = this.parseAlt();
    if (this.i < this.runes.length) {
      // only a stray ')' can stop parseAlt early
      this.err('unexpected )', this.src);
    }
    return n;
  }

  private parseAlt(): RNode {
    if (++this.depth > MAX_NEST) this.err('expression nested too deeply', '');
    const alts: RNode[] = [this.parseCat()];
    while (this.peek() === 0x7c /* | */) {
      this.i++;
      alts.push(this.parseCat());
    }
    this.depth--;
    return alts.length === 1 ? alts[0] : { k: 'alt', a: alts };
  }

  private parseCat(): RNode {
    const items: RNode[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === 0x7c || c === 0x29 /* ) */) break;
      const start = this.i;
      if (c === 0x2a || c === 0x2b || c === 0x3f) {
        // * + ?
        this.i++;
        const last = items.pop();
        if (!last) this.err('missing argument to repetition operator', this.text(start));
        const min = c === 0x2b ? 1 : 0;
        const max = c === 0x3f ? 1 : -1;
        items.push({ k: 'rep', x: last, min, max });
        continue;
      }
      if (c === 0x7b /* { */) {
        const rep = this.maybeRepeat();
        if (rep) {
          const last = items.pop();
          if (!last) this.err('missing argument to repetition operator', this.text(start));
          if (rep.min > MAX_REPEAT || rep.max > MAX_REPEAT || (rep.max !== -1 && rep.min > rep.max)) {
            this.err('bad repetition operator', this.text(start));
          }
          items.push({ k: 'rep', x: last, min: rep.min, max: rep.max });
          continue;
        }
        this.i++;
        items.push({ k: 'set', r: [0x7b, 0x7b] });
        continue;
      }
      items.push(this.parseAtom());
    }
    if (items.length === 0) return { k: 'empty' };
    return items.length === 1 ? items[0] : { k: 'cat', a: items };
  }

  /** {n}, {n,}, {n,m}; null (nothing consumed) if not a valid repeat → literal '{'. */
  private maybeRepeat(): { min: number; max: number } | null {
    let j = this.i + 1;
    const num = (): number => {
      const s = j;
      let v = 0;
      while (isAsciiDigit(this.runes[j] ?? -1)) {
        v = Math.min(v * 10 + (this.runes[j] - 48), 100000);
        j++;
      }
      return j === s ? -1 : v;
    };
    const min = num();
    if (min < 0) return null;
    let max = min;
    if (this.runes[j] === 0x2c /* , */) {
      j++;
      if (this.runes[j] === 0x7d) max = -1;
      else {
        max = num();
        if (max < 0) return null;
      }
    }
    if (this.runes[j] !== 0x7d /* } */) return null;
    this.i = j + 1;
    return { min, max };
  }

  private parseAtom(): RNode {
    const c = this.peek();
    switch (c) {
      case 0x28: {
        // (
        const start = this.i;
        this.i++;
        if (this.peek() === 0x3f /* ? */) this.err('missing argument to repetition operator', '?');
        const inner = this.parseAlt();
        if (this.peek() !== 0x29) this.err('missing )', this.text(start, this.runes.length));
        this.i++;
        return inner;
      }
      case 0x5e:
        this.i++;
        return { k: 'bol' };
      case 0x24:
        this.i++;
        return { k: 'eol' };
      case 0x2e:
        this.i++;
        return { k: 'set', r: [0, 9, 11, MAX_RUNE] };
      case 0x5b:
        return this.parseClass();
      case 0x5c: {
        const r = this.parseEscape();
        return { k: 'set', r: [r, r] };
      }
      default:
        this.i++;
        return { k: 'set', r: [c, c] };
    }
  }

  /** RE2 ParseEscape: at a backslash; returns the rune. */
  private parseEscape(): number {
    const begin = this.i;
    this.i++;
    if (this.i >= this.runes.length) this.err('trailing \\', '');
    const c = this.runes[this.i++];
    const bad = (): never => this.err('invalid escape sequence', this.text(begin));
    if (c >= 0x31 && c <= 0x37) {
      const n = this.peek();
      if (n < 0x30 || n > 0x37) bad();
    }
    if (c >= 0x30 && c <= 0x37) {
      let code = c - 0x30;
      for (let k = 0; k < 2; k++) {
        const n = this.peek();
        if (n < 0x30 || n > 0x37) break;
        code = code * 8 + (n - 0x30);
        this.i++;
      }
      return code;
    }
    switch (c) {
      case 0x78: {
        // x
        const c1 = this.peek();
        if (c1 === -1) bad();
        this.i++;
        if (c1 === 0x7b) {
          let v = 0;
          let nd = 0;
          for (;;) {
            const d = this.peek();
            if (d === -1) bad();
            this.i++;
            if (d === 0x7d) break;
            const h = hexVal(d);
            if (h < 0) bad();
            v = v * 16 + h;
            nd++;
            if (v > MAX_RUNE) bad();
          }
          if (nd === 0) bad();
          return v;
        }
        const c2 = this.peek();
        if (c2 === -1) bad();
        this.i++;
        const h1 = hexVal(c1);
        const h2 = hexVal(c2);
        if (h1 < 0 || h2 < 0) bad();
        return h1 * 16 + h2;
      }
      case 0x61:
        return 7; // a
      case 0x66:
        return 12; // f
      case 0x6e:
        return 10; // n
      case 0x72:
        return 13; // r
      case 0x74:
        return 9; // t
      case 0x76:
        return 11; // v
      default:
        if (c < 0x80 && !isAsciiAlpha(c) && !isAsciiDigit(c)) return c;
        return bad();
    }
  }

  /** RE2 ParseCharClass in POSIX mode. */
  private parseClass(): RNode {
    const start = this.i;
    this.i++; // [
    let negated = false;
    if (this.peek() === 0x5e) {
      negated = true;
      this.i++;
    }
    const r: Ranges = [];
    let first = true;
    while (this.i < this.runes.length && (this.peek() !== 0x5d || first)) {
      const c = this.peek();
      if (c === 0x2d /* - */ && !first && !(this.i + 1 < this.runes.length && this.peek(1) === 0x5d)) {
        this.err('invalid character class range', this.text(this.i, Math.min(this.i + 2, this.runes.length)));
      }
      first = false;
      if (c === 0x5b && this.peek(1) === 0x3a) {
        // [:
        let j = this.i + 2;
        while (j + 1 < this.runes.length && !(this.runes[j] === 0x3a && this.runes[j + 1] === 0x5d)) j++;
        if (j + 1 < this.runes.length) {
          let name = this.text(this.i + 2, j);
          const whole = this.text(this.i, j + 2);
          let neg = false;
          if (name.startsWith('^')) {
            neg = true;
            name = name.slice(1);
          }
          const cls = POSIX_CLASSES[name];
          if (!cls) this.err('invalid character class range', whole);
          r.push(...(neg ? negateRanges(cls) : cls));
          this.i = j + 2;
          continue;
        }
      }
      const rangeStart = this.i;
      const lo = this.classChar(start);
      let hi = lo;
      if (this.peek() === 0x2d && this.i + 1 < this.runes.length && this.peek(1) !== 0x5d) {
        this.i++;
        hi = this.classChar(start);
        if (hi < lo) this.err('invalid character class range', this.text(rangeStart));
      }
      r.push(lo, hi);
    }
    if (this.i >= this.runes.length) this.err('missing ]', this.text(start, this.runes.length));
    this.i++; // ]
    return { k: 'set', r: negated ? negateRanges(r) : normRanges(r) };
  }

  private classChar(classStart: number): number {
    if (this.i >= this.runes.length) this.err('missing ]', this.text(classStart, this.runes.length));
    if (this.peek() === 0x5c) return this.parseEscape();
    return this.runes[this.i++];
  }
}

// ---- NFA ----------------------------------------------------------------------------------------

const K_CHAR = 0;
const K_SPLIT = 1;
const K_BOL = 2;
const K_EOL = 3;
const K_MATCH = 4;

const MAX_STATES = 100000;

class Nfa {
  kind: number[] = [];
  out: number[] = [];
  out1: number[] = [];
  /** per CHAR state: index into sets */
  setIdx: number[] = [];
  sets: { bits: Uint8Array; ranges: Ranges }[] = [];
  setCache = new Map<string, number>();
  start = 0;

  add(kind: number, out: number, out1 = -1, setIdx = -1): number {
    if (this.kind.length >= MAX_STATES) throw new RegexSyntaxError('pattern too large - compile failed');
    this.kind.push(kind);
    this.out.push(out);
    this.out1.push(out1);
    this.setIdx.push(setIdx);
    return this.kind.length - 1;
  }

  setOf(r: Ranges): number {
    const key = r.join(',');
    let idx = this.setCache.get(key);
    if (idx === undefined) {
      const bits = new Uint8Array(256);
      for (let i = 0; i < r.length; i += 2) for (let c = r[i]; c <= r[i + 1] && c < 256; c++) bits[c] = 1;
      idx = this.sets.length;
      this.sets.push({ bits, ranges: r });
      this.setCache.set(key, idx);
    }
    return idx;
  }

  setHas(idx: number, rune: number): boolean {
    if (rune < 0) return false;
    const s = this.sets[idx];
    if (rune < 256) return s.bits[rune] === 1;
    const r = s.ranges;
    for (let i = 0; i < r.length; i += 2) if (rune >= r[i] && rune <= r[i + 1]) return true;
    return false;
  }

  /** Compiles `n` so that it continues to state `next`; returns its entry state. */
  comp(n: RNode, next: number): number {
    switch (n.k) {
      case 'empty':
        return next;
      case 'set':
        return this.add(K_CHAR, next, -1, this.setOf(n.r));
      case 'bol':
        return this.add(K_BOL, next);
      case 'eol':
        return this.add(K_EOL, next);
      case 'cat': {
        let s = next;
        for (let i = n.a.length - 1; i >= 0; i--) s = this.comp(n.a[i], s);
        return s;
      }
      case 'alt': {
        let s = this.comp(n.a[n.a.length - 1], next);
        for (let i = n.a.length - 2; i >= 0; i--) s = this.add(K_SPLIT, this.comp(n.a[i], next), s);
        return s;
      }
      case 'rep': {
        let tail: number;
        if (n.max === -1) {
          const loop = this.add(K_SPLIT, -1, next);
          this.out[loop] = this.comp(n.x, loop);
          tail = loop;
        } else {
          tail = next;
          for (let k = n.min; k < n.max; k++) tail = this.add(K_SPLIT, this.comp(n.x, tail), next);
        }
        for (let k = 0; k < n.min; k++) tail = this.comp(n.x, tail);
        return tail;
      }
    }
  }
}

/** Max product of nested counted repetitions (RE2's RepetitionWalker limit). */
function checkRepeatProduct(n: RNode, mult: number): void {
  switch (n.k) {
    case 'cat':
    case 'alt':
      for (const c of n.a) checkRepeatProduct(c, mult);
      break;
    case 'rep': {
      const m = n.max === -1 ? Math.max(n.min, 1) : Math.max(n.max, 1);
      const p = m > 1 || n.min > 1 ? mult * m : mult;
      if (p > MAX_REPEAT) throw new RegexSyntaxError('bad repetition operator');
      checkRepeatProduct(n.x, p);
      break;
    }
    default:
      break;
  }
}

// ---- lazy DFA -----------------------------------------------------------------------------------

interface DNode {
  /** kernel NFA states (sorted) */
  states: Int32Array;
  bol: boolean;
  /** transitions for runes < 256 (rune \n handled like others); undefined = not computed */
  next: (DNode | null | undefined)[];
  /** accepts if the text ends here (computed lazily: 0 unknown, 1 no, 2 yes) */
  acc: number;
}

const MAX_DFA_NODES = 4096;

class Matcher {
  private readonly nfa: Nfa;
  private cache = new Map<string, DNode>();
  private startNode: DNode | null = null;
  private mark: Int32Array;
  private gen = 0;
  private stack: Int32Array;

  constructor(nfa: Nfa) {
    this.nfa = nfa;
    this.mark = new Int32Array(nfa.kind.length);
    this.stack = new Int32Array(nfa.kind.length * 2 + 4);
  }

  private node(states: number[], bol: boolean): DNode {
    const key = (bol ? 'b' : 'n') + states.join(',');
    let n = this.cache.get(key);
    if (!n) {
      if (this.cache.size >= MAX_DFA_NODES) {
        this.cache.clear();
        this.startNode = null;
      }
      n = { states: Int32Array.from(states), bol, next: new Array<DNode | null | undefined>(256), acc: 0 };
      this.cache.set(key, n);
    }
    return n;
  }

  /** Epsilon closure of the kernel under (bol, eol); calls visit for CHAR states; returns true if MATCH reached. */
  private closure(states: Int32Array, bol: boolean, eol: boolean, visit: ((s: number) => void) | null): boolean {
    const nfa = this.nfa;
    const g = ++this.gen;
    let sp = 0;
    let matched = false;
    for (let i = states.length - 1; i >= 0; i--) this.stack[sp++] = states[i];
    while (sp > 0) {
      const s = this.stack[--sp];
      if (s < 0 || this.mark[s] === g) continue;
      this.mark[s] = g;
      switch (nfa.kind[s]) {
        case K_CHAR:
          if (visit) visit(s);
          break;
        case K_SPLIT:
          if (sp + 2 > this.stack.length) {
            const ns = new Int32Array(this.stack.length * 2);
            ns.set(this.stack);
            this.stack = ns;
          }
          this.stack[sp++] = nfa.out1[s];
          this.stack[sp++] = nfa.out[s];
          break;
        case K_BOL:
          if (bol) this.stack[sp++] = nfa.out[s];
          break;
        case K_EOL:
          if (eol) this.stack[sp++] = nfa.out[s];
          break;
        case K_MATCH:
          matched = true;
          break;
      }
    }
    return matched;
  }

  private step(d: DNode, rune: number): DNode | null {
    const nfa = this.nfa;
    const nextStates: number[] = [];
    this.closure(d.states, d.bol, rune === 10, (s) => {
      if (nfa.setHas(nfa.setIdx[s], rune)) nextStates.push(nfa.out[s]);
    });
    if (nextStates.length === 0) return null;
    const uniq = Array.from(new Set(nextStates)).sort((a, b) => a - b);
    return this.node(uniq, rune === 10);
  }

  private accepts(d: DNode): boolean {
    if (d.acc === 0) d.acc = this.closure(d.states, d.bol, true, null) ? 2 : 1;
    return d.acc === 2;
  }

  /** Full match of a byte string decoded as UTF-8. */
  match(s: string): boolean {
    let d = this.startNode;
    if (!d) d = this.startNode = this.node([this.nfa.start], true);
    const n = s.length;
    for (let i = 0; i < n;) {
      const c = s.charCodeAt(i);
      let rune: number;
      if (c < 0x80) {
        rune = c;
        i++;
      } else {
        const dec = decodeAt(s, i);
        if (dec < 0) return false; // invalid UTF-8 can never be consumed
        rune = dec >> 3;
        i += dec & 7;
      }
      let nx: DNode | null | undefined;
      if (rune < 256) {
        nx = d.next[rune];
        if (nx === undefined) {
          nx = this.step(d, rune);
          // the cache may have been reset while stepping; caching on a dropped node is harmless
          d.next[rune] = nx;
        }
      } else {
        nx = this.step(d, rune);
      }
      if (nx === null) return false;
      d = nx;
    }
    return this.accepts(d);
  }
}

/** A compiled regex: (byte string) → full match. */
export type RegexMatcher = (s: string) => boolean;

/**
 * Compiles an RE2 POSIX-syntax pattern (a byte string) for full matching.
 * Throws RegexSyntaxError with RE2's message on an invalid pattern.
 */
export function compileRegex(pattern: string): RegexMatcher {
  const ast = new RegexParser(pattern).parse();
  checkRepeatProduct(ast, 1);
  const nfa = new Nfa();
  const match = nfa.add(K_MATCH, -1);
  nfa.start = nfa.comp(ast, match);
  const m = new Matcher(nfa);
  return (s) => m.match(s);
}
