/** C strings in parameters as libsinsp sanitizes them (g_invalidchar, sanitize_string). */

/** g_invalidchar: everything outside 0x20..0x7e */
export function isValidChar(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}

/** sanitize_string: drops the characters outside 0x20..0x7e (and stops at a NUL, as a C string). */
export function sanitizeString(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) break;
  }
  if (i === n) return s;
  let out = s.slice(0, i);
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) break;
    if (c >= 0x20 && c <= 0x7e) out += s[i];
  }
  return out;
}

/** Index of the first NUL at or after o in b (b.length when none). */
export function nulFrom(b: Buffer, o: number): number {
  if (o >= b.length) return b.length;
  const z = b.indexOf(0, o);
  return z < 0 ? b.length : z;
}

/** C string at o, sanitized (sanitize_string of std::string(payload + o)). */
export function sanitizedCStr(b: Buffer, o: number): string {
  const e = nulFrom(b, o);
  let i = o;
  while (i < e && isValidChar(b[i])) i++;
  if (i === e) return b.latin1Slice(o, e);
  let s = b.latin1Slice(o, i);
  for (; i < e; i++) if (isValidChar(b[i])) s += String.fromCharCode(b[i]);
  return s;
}
