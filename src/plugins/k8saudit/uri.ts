/**
 * ka.uri.param[key]: the first value of a query parameter of the request URI, read as Go's
 * url.Parse + url.ParseQuery read it (the Go plugin's semantics): the fragment is cut off, the
 * query is what follows the first '?', pairs split on '&', names and values are unescaped
 * ('+' is a space). Like Go, a malformed URI or query (a bad %-escape, a ';' in a pair, a
 * control character) is an error, not a missing value.
 */
const HEX = /^[0-9a-fA-F]{2}$/;

function unescape(s: string, plusIsSpace: boolean): string {
  if (!s.includes('%') && !(plusIsSpace && s.includes('+'))) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!HEX.test(h)) throw new Error(`invalid URL escape "${s.slice(i, i + 3)}"`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+' && plusIsSpace) bytes.push(0x20);
    else for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The first value of parameter `key` in `uri`'s query, or undefined. Throws on a malformed URI. */
export function uriParam(uri: string, key: string): string | undefined {
  try {
    if (/[\x00-\x1f\x7f]/.test(uri)) throw new Error('invalid control character in URL');
    const noFrag = uri.split('#', 1)[0];
    const q = noFrag.indexOf('?');
    unescape(q < 0 ? noFrag : noFrag.slice(0, q), false);
    if (q < 0) return undefined;
    let found: string | undefined;
    let err: Error | undefined;
    for (const pair of noFrag.slice(q + 1).split('&')) {
      if (pair.includes(';')) {
        err ??= new Error('invalid semicolon separator in query');
        continue;
      }
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      try {
        const k = unescape(eq < 0 ? pair : pair.slice(0, eq), true);
        const v = unescape(eq < 0 ? '' : pair.slice(eq + 1), true);
        if (k === key && found === undefined) found = v;
      } catch (e) {
        err ??= e as Error;
      }
    }
    // Go's ParseQuery reports the first bad pair after reading them all; the plugin then fails
    if (err) throw err;
    return found;
  } catch (e) {
    throw new Error(`k8saudit: ka.uri.param: ${(e as Error).message}`, { cause: e });
  }
}
