/**
 * JSON pointers (RFC 6901) as the json plugin reads them: one leading '/' is optional, the
 * rest splits on '/', and each token unescapes "~1" to '/' then "~0" to '~'. An empty pointer
 * names the whole document.
 */
import { child, type Json } from './json-value';

export function pointerTokens(ptr: string): string[] {
  const p = ptr.startsWith('/') ? ptr.slice(1) : ptr;
  return p.split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value `ptr` points at, or undefined when some token is missing. */
export function resolvePointer(doc: Json, ptr: string): Json | undefined {
  if (ptr.length === 0) return doc;
  let cur: Json | undefined = doc;
  for (const t of pointerTokens(ptr)) {
    cur = child(cur, t);
    if (cur === undefined) return undefined;
  }
  return cur;
}
