/**
 * glob / iglob: POSIX fnmatch(pattern, string, 0 | FNM_CASEFOLD) as glibc does it in the C
 * locale, on byte strings. No FNM_PATHNAME and no FNM_PERIOD: `*`, `?` and bracket
 * expressions also match '/' and a leading '.'.
 *
 *   *        any sequence (including empty)
 *   ?        any one byte
 *   [...]    bracket expression: `!` or `^` negates, `]` first is literal, ranges `a-z`,
 *            classes `[:alpha:]`, `[=c=]`, `[.c.]`, backslash escapes; an unclosed `[` is a
 *            literal `[`
 *   \c       the literal c; a trailing backslash never matches
 *
 * Matching is the classic single-backtrack-point algorithm: O(len(pattern) * len(text)) worst
 * case, never exponential. Common shapes (`lit`, `lit*`, `*lit`, `*lit*`) use string methods.
 */

type Tok = { t: 'lit'; c: number } | { t: 'any' } | { t: 'star' } | { t: 'set'; m: Uint8Array } | { t: 'never' };

const CLASSES: Record<string, (c: number) => boolean> = {
  alpha: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122),
  digit: (c) => c >= 48 && c <= 57,
  alnum: (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57),
  upper: (c) => c >= 65 && c <= 90,
  lower: (c) => c >= 97 && c <= 122,
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  blank: (c) => c === 32 || c === 9,
  punct: (c) => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126),
  print: (c) => c >= 32 && c <= 126,
  graph: (c) => c >= 33 && c <= 126,
  cntrl: (c) => c < 32 || c === 127,
  xdigit: (c) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);

/** Parses a bracket expression starting at p[i] === '['; returns the token and next index, or null if unclosed. */
function parseBracket(p: string, i: number, fold: boolean): { tok: Tok; next: number } | null {
  const m = new Uint8Array(256);
  let j = i + 1;
  let neg = false;
  if (p[j] === '!' || p[j] === '^') {
    neg = true;
    j++;
  }
  let first = true;
  let bad = false;
  for (;;) {
    if (j >= p.length) return null;
    let c = p.charCodeAt(j);
    if (c === 93 /* ] */ && !first) {
      j++;
      break;
    }
    first = false;
    if (c === 91 /* [ */ && (p[j + 1] === ':' || p[j + 1] === '=' || p[j + 1] === '.')) {
      const kind = p[j + 1];
      const close = p.indexOf(kind + ']', j + 2);
      if (close < 0) return null;
      const name = p.slice(j + 2, close);
      j = close + 2;
      if (kind === ':') {
        const f = CLASSES[name];
        if (!f) {
          bad = true;
          continue;
        } // glibc: unknown class → pattern never matches
        for (let k = 0; k < 256; k++) if (f(k)) m[k] = 1;
        continue;
      }
      if (name.length !== 1) {
        bad = true;
        continue;
      }
      c = name.charCodeAt(0);
      m[c] = 1;
      continue;
    }
    if (c === 92 /* \ */) {
      j++;
      if (j >= p.length) return null;
      c = p.charCodeAt(j);
    }
    j++;
    // range?
    if (p[j] === '-' && j + 1 < p.length && p[j + 1] !== ']') {
      let hi = p.charCodeAt(j + 1);
      j += 2;
      if (hi === 92 /* \ */) {
        if (j >= p.length) return null;
        hi = p.charCodeAt(j);
        j++;
      }
      for (let k = c; k <= hi && k < 256; k++) m[k] = 1;
      continue;
    }
    if (c < 256) m[c] = 1;
  }
  if (bad) return { tok: { t: 'never' }, next: j };
  if (fold) {
    for (let k = 65; k <= 90; k++)
      if (m[k] || m[k + 32]) {
        m[k] = 1;
        m[k + 32] = 1;
      }
  }
  if (neg) for (let k = 0; k < 256; k++) m[k] = m[k] ? 0 : 1;
  return { tok: { t: 'set', m }, next: j };
}

function tokenize(p: string, fold: boolean): Tok[] {
  const toks: Tok[] = [];
  for (let i = 0; i < p.length;) {
    const c = p.charCodeAt(i);
    if (c === 42 /* * */) {
      if (toks.length === 0 || toks[toks.length - 1].t !== 'star') toks.push({ t: 'star' });
      i++;
    } else if (c === 63 /* ? */) {
      toks.push({ t: 'any' });
      i++;
    } else if (c === 91 /* [ */) {
      const b = parseBracket(p, i, fold);
      if (b) {
        toks.push(b.tok);
        i = b.next;
      } else {
        toks.push({ t: 'lit', c });
        i++;
      }
    } else if (c === 92 /* \ */) {
      if (i + 1 >= p.length) {
        toks.push({ t: 'never' });
        i++;
      } else {
        const e = p.charCodeAt(i + 1);
        toks.push({ t: 'lit', c: fold ? lower(e) : e });
        i += 2;
      }
    } else {
      toks.push({ t: 'lit', c: fold ? lower(c) : c });
      i++;
    }
  }
  return toks;
}

function tokMatches(tk: Tok, c: number): boolean {
  switch (tk.t) {
    case 'lit':
      return tk.c === c;
    case 'any':
      return true;
    case 'set':
      return c < 256 && tk.m[c] === 1;
    default:
      return false;
  }
}

function matchToks(toks: Tok[], s: string, fold: boolean): boolean {
  let ti = 0;
  let si = 0;
  let starT = -1;
  let starS = 0;
  const n = s.length;
  while (si < n) {
    if (ti < toks.length) {
      const tk = toks[ti];
      if (tk.t === 'star') {
        starT = ti++;
        starS = si;
        continue;
      }
      const c = fold ? lower(s.charCodeAt(si)) : s.charCodeAt(si);
      if (tokMatches(tk, c)) {
        ti++;
        si++;
        continue;
      }
    }
    if (starT < 0) return false;
    ti = starT + 1;
    si = ++starS;
  }
  while (ti < toks.length && toks[ti].t === 'star') ti++;
  return ti === toks.length;
}

/** A compiled glob: (text) → matches. */
export type GlobMatcher = (s: string) => boolean;

/** Compiles an fnmatch pattern (byte string). `caseFold` = iglob. */
export function compileGlob(pattern: string, caseFold = false): GlobMatcher {
  const toks = tokenize(pattern, caseFold);
  if (!caseFold) {
    // fast paths on literal shapes
    const lits = (a: Tok[]): string | null => {
      let r = '';
      for (const t of a) {
        if (t.t !== 'lit') return null;
        r += String.fromCharCode(t.c);
      }
      return r;
    };
    const n = toks.length;
    const lead = n > 0 && toks[0].t === 'star';
    const trail = n > 0 && toks[n - 1].t === 'star';
    const mid = lits(toks.slice(lead ? 1 : 0, trail && (n > 1 || !lead) ? n - 1 : n));
    if (mid !== null) {
      if (!lead && !trail) return (s) => s === mid;
      if (lead && trail) return (s) => s.includes(mid);
      if (lead) return (s) => s.endsWith(mid);
      return (s) => s.startsWith(mid);
    }
  }
  return (s) => matchToks(toks, s, caseFold);
}

/** One-shot fnmatch. */
export function globMatch(pattern: string, s: string, caseFold = false): boolean {
  return matchToks(tokenize(pattern, caseFold), s, caseFold);
}
