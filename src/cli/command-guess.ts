/**
 * `falco-ts [filter...]` takes any words as a live filter, so a misspelt subcommand
 * (`falco-ts repaly t.scap`) would otherwise surface as a filter syntax error. Words that
 * cannot be a filter and start with a bare word are reported as an unknown command instead.
 */
import { InputError } from '../util/errors';
import { lazy } from '../util/lazy';
import { walk } from '../filter/ast';

/** the parser loads only when live words are checked (not on every command's start) */
const filterParser = lazy(() => require('../filter/parser') as typeof import('../filter/parser'));

/** a bare word: no field (fields have a dot), no operator, no quote */
const BARE_WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;
const FILTER_KEYWORDS = new Set(['not', 'and', 'or']);

/**
 * Throws the unknown-command error when `words` are not a filter but look like a command,
 * naming the closest command when one is near; returns quietly for anything filter-like, so
 * the filter's own error (with its column) stays the message for real filters.
 */
export function checkNotACommand(words: readonly string[], commands: readonly string[], program: string): void {
  const first = words[0];
  if (first === undefined || !BARE_WORD.test(first) || FILTER_KEYWORDS.has(first.toLowerCase())) return;
  if (isFilter(words.join(' '), first)) return;
  const near = closestCommand(first, commands);
  const hint = near ? ` (did you mean '${near}'?)` : '';
  throw new InputError(`unknown command '${first}'${hint}; run '${program} --help' for the commands`);
}

/**
 * A filter parses and does not start with a macro name: the command line has no macros, so a
 * leading bare word that parses (`falco-ts stat`) is a command the user meant.
 */
function isFilter(text: string, first: string): boolean {
  let ast;
  try {
    ast = filterParser().parseFilter(text).ast;
  } catch {
    return false;
  }
  let leadingMacro = false;
  walk(ast, (n) => {
    if (n.kind === 'identifier' && n.name === first) leadingMacro = true;
  });
  return !leadingMacro;
}

/** The command within edit distance 2 (or that `word` starts), nearest first; ties keep the order given. */
export function closestCommand(word: string, commands: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDist = 3;
  for (const c of commands) {
    const d = c.startsWith(w) && w.length >= 2 ? 1 : editDistance(w, c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions, "repaly" → "replay"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}
