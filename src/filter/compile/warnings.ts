/**
 * Compile warnings on constant values (libsinsp `check_value_and_add_warnings`): a value that
 * looks like a field or a transformer call, a regex that a plain operator would do.
 */
import type { FilterWarning } from '../errors';
import type { FieldRegistry } from '../field-api';
import { supportedTransformers } from '../lexer';
import type { Comparator } from '../operators';

const FIELD_LIKE = /^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+(\[[^\]]*\])?$/;

export function valueWarnings(
  registry: FieldRegistry,
  cmp: Comparator,
  pos: number,
  v: string,
  out: FilterWarning[],
): void {
  try {
    const nospaces = v.replace(/[ \t\n\v\f\r]/g, '');
    if (cmp.op === 'regex') regexWarning(pos, v, out);
    if (FIELD_LIKE.test(nospaces)) {
      const b = nospaces.indexOf('[');
      const name = b < 0 ? nospaces : nospaces.slice(0, b);
      const arg = b < 0 ? null : nospaces.slice(b + 1, -1);
      let ok = false;
      try {
        registry.bind(name, arg);
        ok = true;
      } catch {
        ok = false;
      }
      if (ok) out.push({ message: `'${v}' may be a valid field misused as a const string value`, pos });
    }
    for (const t of supportedTransformers(true)) {
      if (
        nospaces.length >= t.length + 2 &&
        nospaces.startsWith(t) &&
        nospaces[t.length] === '(' &&
        nospaces.endsWith(')')
      ) {
        out.push({
          message: `'${v}' may be a valid field transformer misused as a const string value`,
          pos,
        });
      }
    }
  } catch {
    // warnings never fail a compilation
  }
}

function regexWarning(pos: number, v: string, out: FilterWarning[]): void {
  const special = '.+*?^$()[]{}|\\';
  const len = v.length;
  for (let i = 0; i < len; i++) {
    if ((i === 0 && v[i] === '^') || (i === len - 1 && v[i] === '$')) continue;
    if (((i === 0 && len > 1) || i === len - 2) && v[i] === '.' && '+*?'.includes(v[i + 1])) {
      i++;
      continue;
    }
    if (special.includes(v[i])) return;
  }
  out.push({
    message: `regex check with '${v}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'`,
    pos,
  });
}
