/**
 * A fast reader for the YAML that rules files are written in: block sequences and maps,
 * plain (also multi-line), single- and double-quoted scalars on one line, `>`/`|` block
 * scalars, flow sequences (nested, over several lines), comments and `---` documents. It
 * builds the same YNode trees, positions included, as yaml-node.ts's reading through the
 * `yaml` package, about ten times faster when a process starts (the package's parser is
 * general and JIT-cold).
 *
 * Anything else (anchors, aliases, tags, flow maps, explicit keys, quoted keys, multi-line
 * quoted scalars, indentation indicators, tabs, CR, a byte-order mark, and any syntax
 * error) returns null: the caller then reads the text with the `yaml` package, which also
 * gives the exact error messages. test/rules-yaml-fast.test.ts checks both readers give
 * equal trees on every rules file at hand.
 */
import type { NodeKind, YDoc, YNode } from './yaml-types';

/** thrown inside the reader: this text is left to the general parser */
class Unsupported extends Error {}
const bail = (): never => {
  throw new Unsupported();
};

const NULL_RE = /^(~|null|Null|NULL)$/;
const MAX_NODES = 1_000_000;
/**
 * Nesting deeper than this is left to the general parser, so that deep nesting gets one
 * behaviour (the yaml package's) whichever reader would have taken the text.
 */
const MAX_DEPTH = 64;

export function parseYamlFast(text: string): YDoc[] | null {
  // (a BOM anywhere: JavaScript's trim() would drop one inside a scalar; the yaml package keeps it)
  if (text.includes('\r') || text.includes('\t') || text.includes('\ufeff')) return null;
  try {
    return new FastReader(text).stream();
  } catch (e) {
    if (e instanceof Unsupported || e instanceof RangeError) return null; // (nesting too deep: the general parser reports it)
    throw e;
  }
}

class FastReader {
  private readonly lineStarts: number[] = [0];
  private nodes = 0;
  /** nesting of the node being read (block and flow) */
  private depth = 0;
  /** offset of the current line's start */
  private p = 0;

  constructor(private readonly s: string) {
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  private mk(kind: NodeKind, pos: number): YNode {
    if (++this.nodes > MAX_NODES) bail();
    // binary search of the line (1-based line and column, as the yaml package's LineCounter)
    const ls = this.lineStarts;
    let lo = 0,
      hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { kind, str: '', items: [], map: new Map(), line: lo + 1, col: pos - ls[lo] + 1, pos };
  }

  private lineEnd(from: number): number {
    const e = this.s.indexOf('\n', from);
    return e === -1 ? this.s.length : e;
  }

  /**
   * Moves p to the start of the next line holding content (skipping blank and comment
   * lines); returns its indentation, or -1 at the end of the text or at a document marker.
   */
  private nextContent(): number {
    const s = this.s;
    while (this.p < s.length) {
      let i = this.p;
      while (s.charCodeAt(i) === 32) i++;
      const c = s[i];
      if (i >= s.length) {
        this.p = s.length;
        return -1;
      }
      if (c === '\n') {
        this.p = i + 1;
        continue;
      }
      if (c === '#') {
        this.p = this.lineEnd(i) + 1;
        continue;
      }
      if (
        i === this.p &&
        (s.startsWith('---', i) || s.startsWith('...', i)) &&
        /^(---|\.\.\.)( |\n|$)/.test(s.slice(i, i + 4))
      )
        return -1;
      if (i === this.p && c === '%') bail();
      return i - this.p;
    }
    return -1;
  }

  stream(): YDoc[] {
    const s = this.s;
    const docs: YDoc[] = [];
    let explicit = false;
    for (;;) {
      const ind = this.nextContent();
      let root: YNode | null = null;
      if (ind >= 0) {
        root = this.block(this.p + ind, -1);
        if (this.nextContent() >= 0) bail();
      }
      if (this.p >= s.length) {
        if (root !== null) docs.push({ root });
        else if (explicit) bail();
        return docs;
      }
      // a `---` or `...` line
      if (s.startsWith('...', this.p)) bail();
      if (root !== null) docs.push({ root });
      else if (explicit) bail(); // an explicit empty document: the yaml package gives it a positioned null node
      explicit = true;
      const rest = this.p + 3;
      const eol = this.lineEnd(rest);
      const after = s.slice(rest, eol).trim();
      if (after !== '' && !after.startsWith('#')) bail();
      this.p = eol + 1;
    }
  }

  /** A block node whose first character is at offset at (its column is its indentation). */
  private block(at: number, parentIndent: number): YNode {
    if (++this.depth > MAX_DEPTH) bail();
    try {
      return this.blockAt(at, parentIndent);
    } finally {
      this.depth--;
    }
  }

  private blockAt(at: number, parentIndent: number): YNode {
    const s = this.s;
    const ind = at - this.lineStarts[this.lineOf(at)];
    const c = s[at];
    if (c === '-' && (s[at + 1] === ' ' || s[at + 1] === '\n' || at + 1 === s.length)) return this.seq(at, ind);
    if (this.keyEnd(at) !== -1) return this.map(at, ind);
    return this.inlineValue(at, parentIndent);
  }

  private lineOf(pos: number): number {
    const ls = this.lineStarts;
    let lo = 0,
      hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** If a plain implicit key starts at `at` (`key: ...`), the offset of its ':'; else -1. */
  private keyEnd(at: number): number {
    const s = this.s;
    const eol = this.lineEnd(at);
    if ('"\'?[{&*!|>%@`]},'.includes(s[at])) {
      // quoted and complex keys, and keys starting with a reserved indicator (an error), are
      // left to the general parser
      if (/:( |$)/.test(s.slice(at, eol))) bail();
      return -1;
    }
    for (let i = at; i < eol; i++) {
      const ch = s[i];
      if (ch === ':' && (i + 1 === eol || s[i + 1] === ' ')) return i;
      if (ch === '#' && s[i - 1] === ' ') return -1;
    }
    return -1;
  }

  private seq(at: number, ind: number): YNode {
    const s = this.s;
    const r = this.mk('seq', at);
    let dash = at;
    for (;;) {
      // dash is the offset of '-' at column ind
      let i = dash + 1;
      while (s.charCodeAt(i) === 32) i++;
      if (i >= s.length || s[i] === '\n' || (s[i] === '#' && i > dash + 1)) {
        // the item is on the following lines (more indented), or empty
        this.p = this.lineEnd(dash) + 1;
        const saved = this.p;
        const ni = this.nextContent();
        if (ni > ind) r.items.push(this.block(this.p + ni, ind));
        else {
          this.p = saved;
          r.items.push(this.emptyScalar(i));
        }
      } else {
        r.items.push(this.compact(i, ind));
      }
      const ni = this.nextContent();
      if (ni < 0 || ni < ind) return r;
      if (ni > ind) bail();
      const at2 = this.p + ni;
      if (s[at2] !== '-' || !(s[at2 + 1] === ' ' || s[at2 + 1] === '\n' || at2 + 1 === s.length)) return r;
      dash = at2;
    }
  }

  /** A node starting on the line of a `- `: a compact map, a nested compact seq, or a scalar. */
  private compact(at: number, dashIndent: number): YNode {
    const s = this.s;
    if (s[at] === '-' && (s[at + 1] === ' ' || s[at + 1] === '\n')) bail();
    if (this.keyEnd(at) !== -1) return this.map(at, at - this.lineStarts[this.lineOf(at)]);
    return this.inlineValue(at, dashIndent);
  }

  private map(at: number, ind: number): YNode {
    const s = this.s;
    const r = this.mk('map', at);
    let k = at;
    for (;;) {
      const colon = this.keyEnd(k);
      if (colon === -1) bail();
      const keyText = s.slice(k, colon).trimEnd();
      if (keyText === '' || keyText.includes(' #')) bail();
      const key = this.plainScalar(keyText, k);
      let v: YNode;
      let i = colon + 1;
      while (s.charCodeAt(i) === 32) i++;
      if (i >= s.length || s[i] === '\n' || (s[i] === '#' && i > colon + 1)) {
        const eol = this.lineEnd(colon);
        this.p = eol + 1;
        const saved = this.p;
        const ni = this.nextContent();
        const at2 = this.p + ni;
        if (ni > ind) v = this.block(at2, ind);
        else if (ni === ind && s[at2] === '-' && (s[at2 + 1] === ' ' || s[at2 + 1] === '\n')) v = this.seq(at2, ind);
        else {
          this.p = saved;
          v = this.emptyScalar(i);
        }
      } else {
        v = this.inlineValue(i, ind);
      }
      if (!r.map.has(key.str)) r.map.set(key.str, { key, value: v });
      const ni = this.nextContent();
      if (ni < 0 || ni < ind) return r;
      if (ni > ind) bail();
      k = this.p + ni;
      if (s[k] === '-' && (s[k + 1] === ' ' || s[k + 1] === '\n')) bail();
    }
  }

  /** `key:` with nothing after it: the yaml package's empty scalar, positioned after the colon. */
  /** An empty value: the yaml package places it at the first non-space after its indicator. */
  private emptyScalar(pos: number): YNode {
    return this.mk('null', pos);
  }

  /** A scalar or flow sequence starting at `at` in block context; leaves p at its last line's start. */
  private inlineValue(at: number, parentIndent: number): YNode {
    const s = this.s;
    const c = s[at];
    switch (c) {
      case '"':
      case "'":
        return this.quoted(at);
      case '[':
        return this.flowSeq(at, parentIndent);
      case '>':
      case '|':
        return this.blockScalar(at, parentIndent);
      case '{':
      case '&':
      case '*':
      case '!':
      case '%':
      case '@':
      case '`':
      case '?':
      case ']':
      case '}':
      case ',':
        return bail();
      default:
        return this.plain(at, parentIndent);
    }
  }

  private plainScalar(text: string, pos: number): YNode {
    if (NULL_RE.test(text)) return this.mk('null', pos);
    const r = this.mk('scalar', pos);
    r.str = text;
    return r;
  }

  /** A plain scalar in block context, continued on more-indented lines (folded). */
  private plain(at: number, parentIndent: number): YNode {
    const s = this.s;
    if (s[at] === '-' && (s[at + 1] === ' ' || s[at + 1] === '\n')) bail();
    let eol = this.lineEnd(at);
    let text = this.plainLine(at, eol);
    if (text.includes(': ') || text.endsWith(':') || text.includes(' #')) bail();
    let last = eol;
    // continuation lines: a line break folds to a space, n blank lines to n newlines
    let blanks = 0;
    for (;;) {
      const next = eol + 1;
      if (next >= s.length) break;
      let j = next;
      while (s.charCodeAt(j) === 32) j++;
      if (j >= s.length) break;
      if (s[j] === '\n') {
        blanks++;
        eol = j;
        continue;
      }
      if (j - next <= parentIndent || s[j] === '#') break;
      const e2 = this.lineEnd(j);
      const t = this.plainLine(j, e2);
      if (
        t === '' ||
        t.includes(': ') ||
        t.endsWith(':') ||
        (s[j] === '-' && s[j + 1] === ' ') ||
        /^(---|\.\.\.)/.test(s.slice(next, next + 3))
      )
        bail();
      text += blanks === 0 ? ' ' + t : '\n'.repeat(blanks) + t;
      blanks = 0;
      eol = e2;
      last = e2;
    }
    this.p = last + 1;
    return this.plainScalar(text, at);
  }

  /** One line of a plain scalar: up to a ` #` comment, trailing spaces trimmed. */
  private plainLine(at: number, eol: number): string {
    const s = this.s;
    let end = eol;
    for (let i = at; i < eol; i++)
      if (s[i] === '#' && s[i - 1] === ' ') {
        end = i;
        break;
      }
    const t = s.slice(at, end).trimEnd();
    if (t.startsWith('#')) bail();
    return t;
  }

  /** A one-line quoted scalar; the rest of its line must be blank or a comment. */
  private quoted(at: number): YNode {
    const [str, end] = this.quotedText(at);
    const eol = this.lineEnd(end);
    const rest = this.s.slice(end, eol).trim();
    if (rest !== '' && !rest.startsWith('#')) bail();
    if (rest.startsWith('#') && this.s[end] !== ' ') bail();
    this.p = eol + 1;
    const r = this.mk('scalar', at);
    r.str = str;
    return r;
  }

  /** The text of a quoted scalar at `at` and the offset after its closing quote (one line only). */
  private quotedText(at: number): [string, number] {
    const s = this.s;
    const q = s[at];
    let out = '';
    let i = at + 1;
    for (;;) {
      if (i >= s.length || s[i] === '\n') bail();
      const ch = s[i];
      if (q === "'") {
        if (ch === "'") {
          if (s[i + 1] === "'") {
            out += "'";
            i += 2;
            continue;
          }
          return [out, i + 1];
        }
        out += ch;
        i++;
        continue;
      }
      if (ch === '"') return [out, i + 1];
      if (ch === '\\') {
        const e = s[i + 1];
        const simple: Record<string, string> = {
          '0': '\0',
          a: '\x07',
          b: '\b',
          t: '\t',
          n: '\n',
          v: '\v',
          f: '\f',
          r: '\r',
          e: '\x1b',
          ' ': ' ',
          '"': '"',
          '/': '/',
          '\\': '\\',
          N: '\u0085',
          _: '\u00a0',
          L: '\u2028',
          P: '\u2029',
        };
        if (e in simple) {
          out += simple[e];
          i += 2;
          continue;
        }
        const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        if (hex === 0) bail();
        const h = s.slice(i + 2, i + 2 + hex);
        if (!/^[0-9a-fA-F]+$/.test(h) || h.length !== hex) bail();
        out += String.fromCodePoint(parseInt(h, 16));
        i += 2 + hex;
        continue;
      }
      out += ch;
      i++;
    }
  }

  /** A flow sequence `[a, "b c", [d]]`, possibly over several lines. */
  private flowSeq(at: number, parentIndent: number): YNode {
    const s = this.s;
    this.flowMinIndent = parentIndent + 1;
    const r = this.flowSeqAt(at);
    const end = this.flowEnd;
    const eol = this.lineEnd(end);
    const rest = s.slice(end, eol).trim();
    if (rest !== '' && !(rest.startsWith('#') && s[end] === ' ')) bail();
    this.p = eol + 1;
    return r;
  }

  private flowEnd = 0;
  /** lines inside a flow sequence must be indented at least this much */
  private flowMinIndent = 0;

  /** Skips spaces, line breaks and comments inside a flow sequence; checks the lines' indentation. */
  private flowSpace(i: number): number {
    const s = this.s;
    for (;;) {
      if (s[i] === ' ') {
        i++;
        continue;
      }
      if (s[i] === '\n') {
        i++;
        let j = i;
        while (s.charCodeAt(j) === 32) j++;
        // (the yaml package's rule: content more indented than the block around, a closing ']' at least as much)
        if (j < s.length && s[j] !== '#' && s[j] !== '\n' && j - i < this.flowMinIndent - (s[j] === ']' ? 1 : 0))
          bail();
        i = j;
        continue;
      }
      if (s[i] === '#' && (s[i - 1] === ' ' || s[i - 1] === '\n')) {
        i = this.lineEnd(i);
        continue;
      }
      return i;
    }
  }

  private flowSeqAt(at: number): YNode {
    if (++this.depth > MAX_DEPTH) bail();
    try {
      return this.flowSeqItems(at);
    } finally {
      this.depth--;
    }
  }

  private flowSeqItems(at: number): YNode {
    const s = this.s;
    const r = this.mk('seq', at);
    let i = at + 1;
    let needItem = true;
    for (;;) {
      i = this.flowSpace(i);
      if (i >= s.length) bail();
      const c = s[i];
      if (c === ']') {
        this.flowEnd = i + 1;
        return r;
      }
      if (c === ',') {
        if (needItem) bail();
        needItem = true;
        i++;
        continue;
      }
      if (!needItem) bail();
      needItem = false;
      if (c === '[') {
        r.items.push(this.flowSeqAt(i));
        i = this.flowEnd;
        continue;
      }
      if (c === '"' || c === "'") {
        const [str, end] = this.quotedText(i);
        const n = this.mk('scalar', i);
        n.str = str;
        r.items.push(n);
        i = end;
        continue;
      }
      // indicators a plain scalar cannot start with (anchors, tags, reserved %@`, block scalars)
      if (
        '{}&*!|>%@`'.includes(c) ||
        ((c === '?' || c === '-' || c === ':') && (s[i + 1] === ' ' || s[i + 1] === ',' || s[i + 1] === '\n'))
      )
        bail();
      // a plain item: up to , ] or a line end (multi-line plain items are left to the general parser)
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== ']' && s[j] !== '\n' && !(s[j] === '#' && s[j - 1] === ' ')) {
        if (
          s[j] === '[' ||
          s[j] === '{' ||
          s[j] === '}' ||
          (s[j] === ':' && (s[j + 1] === ' ' || s[j + 1] === ',' || s[j + 1] === ']'))
        )
          bail();
        j++;
      }
      const t = s.slice(i, j).trimEnd();
      if (s[j] === '\n' || s[j] === '#') {
        // the item must end on this line: the next content has to be ',' or ']'
        const k = this.flowSpace(j);
        if (s[k] !== ',' && s[k] !== ']') bail();
      }
      r.items.push(this.plainScalar(t, i));
      i = j;
    }
  }

  /** `>` / `|` block scalars with an optional `-` chomping indicator (no indentation indicator). */
  private blockScalar(at: number, parentIndent: number): YNode {
    const s = this.s;
    const style = s[at];
    let i = at + 1;
    const strip = s[i] === '-';
    if (strip) i++;
    const eol = this.lineEnd(at);
    if (!/^( +(#.*)?)?$/.test(s.slice(i, eol))) bail();
    const lines: string[] = [];
    let indent = -1;
    let p = eol + 1;
    let lastEnd = eol;
    while (p < s.length) {
      const e = this.lineEnd(p);
      let j = p;
      while (s.charCodeAt(j) === 32) j++;
      if (j === e) {
        // a blank line; leading ones, or ones more indented than the content, are not handled
        if (indent < 0 || j - p > indent) bail();
        lines.push('');
        p = e + 1;
        continue;
      }
      const li = j - p;
      if (indent < 0) {
        if (li <= parentIndent) break;
        indent = li;
      }
      if (li < indent) break;
      lines.push(s.slice(p + indent, e));
      lastEnd = e;
      p = e + 1;
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    // the yaml package's folding (resolve-block-scalar): line breaks next to more-indented lines are kept
    let body = '';
    let sep = '';
    let prevMore = false;
    for (const l of lines) {
      if (style === '|') {
        body += sep + l;
        sep = '\n';
      } else if (l[0] === ' ') {
        if (sep === ' ') sep = '\n';
        else if (!prevMore && sep === '\n') sep = '\n\n';
        body += sep + l;
        sep = '\n';
        prevMore = true;
      } else if (l === '') {
        if (sep === '\n') body += '\n';
        else sep = '\n';
      } else {
        body += sep + l;
        sep = ' ';
        prevMore = false;
      }
    }
    // clip: one final line break
    if (lines.length > 0 && !strip) body += '\n';
    this.p = lastEnd + 1;
    const r = this.mk('scalar', at);
    r.str = body;
    return r;
  }
}
