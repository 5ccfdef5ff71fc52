/**
 * A filter error as sysdig 0.29.3 words it: `filter error at position N: MESSAGE`, where its
 * older parser stood when it gave up: after an unknown field's name, after a value it could
 * not compile (an unknown event type, a bad number), at the end for an unfinished filter.
 * Other grammar errors keep current libs' message at its position (the parsers differ there).
 */
import type { FilterError } from '../../filter/errors';

const NONEXISTENT = 'filter_check called with nonexistent field ';

export function sysdigFilterError(e: FilterError, bytes: string): string {
  const at = (pos: number, msg: string) => `filter error at position ${pos}: ${msg}`;
  if (e.message.startsWith(NONEXISTENT)) {
    const name = e.message.slice(NONEXISTENT.length);
    return at(e.pos + name.length, `filter error: unrecognized field ${name} at pos ${e.pos}`);
  }
  const value = /^unknown event type (.*)$/.exec(e.message) ?? /^(.*) is not a valid number$/.exec(e.message);
  if (value !== null) return at(e.pos + value[1].length, e.message);
  // where 0.29.3's parser wanted a field, any word was taken for a field's name
  const word = /^[^\s=<>!()]+/.exec(bytes.slice(e.pos));
  if (word !== null && /^(unexpected identifier|expected a '\(' token)/.test(e.message))
    return at(e.pos + word[0].length, `filter error: unrecognized field ${word[0]} at pos ${e.pos}`);
  if (e.kind === 'parse' && e.pos >= bytes.trimEnd().length) return at(e.pos, 'filter error: unexpected end of filter');
  return at(e.pos, e.message);
}
