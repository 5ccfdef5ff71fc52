/**
 * How the CLI shows a filter error: one line with the 1-based column and a message a person can
 * act on, then the filter line and a caret under the column:
 *
 *   filter error at column 18: unknown field 'fd.nam' (did you mean fd.name?)
 *     proc.name=cat or fd.nam=x
 *                      ^
 *
 * The parser and compiler keep libsinsp's wording (rules code matches on it); this module only
 * rephrases the few messages whose libsinsp text does not say what is wrong.
 */
import { FilterError, supportedOperators } from './index';
import { fieldRegistry } from './fields/registry';

const NONEXISTENT = 'filter_check called with nonexistent field ';
const EXPECTED_OPERATOR = 'expected a valid check operator';
const EXPECTED_VALUE = /^expected a (string value|number value|list)/;

/** Levenshtein distance, with an early exit once every entry of a row exceeds `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
      if (cur[j] < rowMin) rowMin = cur[j];
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * The known field closest to `name` (case-insensitive edit distance, at most a third of the
 * name's length and at least 2), keeping a `[arg]` suffix; null when nothing is close.
 */
export function nearestField(
  name: string,
  names: Iterable<string> = fieldRegistry.list().map((f) => f.name),
): string | null {
  const br = name.indexOf('[');
  const base = (br < 0 ? name : name.slice(0, br)).toLowerCase();
  const suffix = br < 0 ? '' : name.slice(br);
  const max = Math.max(2, Math.floor(base.length / 3));
  let best: string | null = null;
  let bestD = max;
  let bestPre = false;
  for (const n of names) {
    // exact when <= bestD; bestD + 1 means "farther"
    const d = editDistance(base, n.toLowerCase(), bestD);
    if (d > bestD) continue;
    // ties: a completion of what was typed (fd.nam: fd.name, not fd.num), then the shorter
    const pre = n.toLowerCase().startsWith(base);
    if (best === null || d < bestD || (pre && !bestPre) || (pre === bestPre && n.length < best.length)) {
      best = n;
      bestD = d;
      bestPre = pre;
    }
  }
  return best === null ? null : best + suffix;
}

/** The message and 0-based byte offset to show for `e` (see the module comment). */
function rephrase(e: FilterError, text: string): { message: string; pos: number } {
  const m = e.message;
  if (m.startsWith(NONEXISTENT) && e.macroChain.length === 0) {
    const field = m.slice(NONEXISTENT.length);
    const near = nearestField(field);
    return { message: `unknown field '${field}'` + (near !== null ? ` (did you mean ${near}?)` : ''), pos: e.pos };
  }
  const rest = text.slice(e.pos);
  if (m.startsWith(EXPECTED_OPERATOR)) {
    // `fd.name startswith` at the end: the operator needs a blank and a value after it
    const word = rest.trim();
    if (word !== '' && supportedOperators().includes(word)) {
      return { message: `expected a value after '${word}'`, pos: text.trimEnd().length };
    }
  }
  if (EXPECTED_VALUE.test(m) && rest.trim() === '') {
    const op = /(\S+)\s*$/.exec(text.slice(0, e.pos));
    if (op !== null && supportedOperators().includes(op[1])) {
      return { message: `expected a value after '${op[1]}'`, pos: text.trimEnd().length };
    }
  }
  return { message: m, pos: e.pos };
}

/**
 * "filter error at column N: message", then the line of the filter holding the error and a caret
 * under column N. `text` is the byte string the parser saw (UTF-8 bytes as latin1 chars);
 * columns count characters of the decoded text.
 */
export function formatFilterError(e: FilterError, text: string): string {
  const { message, pos } = rephrase(e, text);
  const at = Math.max(0, Math.min(pos, text.length));
  let start = at;
  while (start > 0 && text[start - 1] !== '\n' && text[start - 1] !== '\r') start--;
  let end = at;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  const decode = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
  const line = decode(text.slice(start, end)).replace(/\t/g, ' ');
  const col = decode(text.slice(start, at)).length + 1;
  let lineNo = 1;
  for (let i = 0; i < start; i++) if (text[i] === '\n' || text[i] === '\r') lineNo++;
  const multiLine = /[\r\n]/.test(text);
  const where =
    (multiLine ? `line ${lineNo}, ` : '') +
    `column ${col}` +
    (e.macroChain.length > 0 ? ` in macro '${e.macroChain[e.macroChain.length - 1]}'` : '');
  return `filter error at ${where}: ${message}\n  ${line}\n  ${' '.repeat(col - 1)}^`;
}
