/**
 * Path joining exactly as libsinsp's sinsp_utils::concatenate_paths does it (including its
 * quirks: non-printable bytes become '.', trailing '/' is dropped, '..' stops at the root),
 * because fd names and resolved paths must match sysdig byte for byte.
 */

const MAX_PATH = 1024;

function invalidChar(c: number): boolean {
  // libsinsp: signed char < -1 (bytes 0x80..0xfe), or !isprint; 0xff is not printable either.
  return c < 0x20 || c > 0x7e;
}

/** The working buffer of the joins (code units, so a string's characters are kept as they are). */
let work = new Uint16Array(4096);
/** A string path's code units, for the walk. */
let pathUnits = new Uint16Array(1024);

/** work[0..base.length) = base; the buffer grown to hold `extra` more units (the walk writes at most that many). */
function startWith(base: string, extra: number): void {
  const need = base.length + extra + 4;
  if (work.length < need) work = new Uint16Array(Math.max(need, work.length * 2));
  for (let i = 0; i < base.length; i++) work[i] = base.charCodeAt(i);
}

/**
 * copy_and_sanitize_path: appends src[pc..pe) to work[] from index `tc`, with '.'/'..'
 * handling ('..' may climb back into what is already there, never above its first byte),
 * '//' folding, invalid bytes as '.', and a trailing '/' dropped. Returns the new length.
 */
function copyAndSanitize(tc: number, src: Uint8Array | Uint16Array, pc: number, pe: number): number {
  const t = work;
  const at = (i: number): number => (i < pe ? src[i] : 0);
  for (;;) {
    const c = at(pc);
    if (c === 0) {
      if (tc > 1 && t[tc - 1] === 0x2f) tc--;
      return tc;
    }
    if (invalidChar(c)) {
      t[tc++] = 0x2e;
      pc++;
    } else if (c === 0x2e && at(pc + 1) === 0x2e && (at(pc + 2) === 0x2f || at(pc + 2) === 0)) {
      // '../' or a final '..': back to the previous '/'
      if (tc > 1) {
        tc--;
        while (tc >= 1 && t[tc - 1] !== 0x2f) tc--;
      }
      pc += at(pc + 2) === 0x2f ? 3 : 2;
    } else if (c === 0x2e && at(pc + 1) === 0x2e) {
      t[tc++] = 0x2e;
      t[tc++] = 0x2e;
      pc += 2;
    } else if (c === 0x2e && at(pc + 1) === 0x2f) {
      pc += 2;
    } else if (c === 0x2e) {
      if (at(pc + 1) === 0) pc++;
      else {
        t[tc++] = c;
        pc++;
      }
    } else if (c === 0x2f) {
      if (tc > 0 && t[tc - 1] === 0x2f) pc++;
      else {
        t[tc++] = c;
        pc++;
      }
    } else {
      t[tc++] = c;
      pc++;
    }
  }
}

/** work[0..n) as a string. */
function workString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...work.subarray(i, Math.min(n, i + 8192)));
  return s;
}

/** The joins' common part: base, then `path` (already cut at its NUL) sanitized; relative or not. */
function join(base: string, path: string, relative: boolean): string {
  const n = path.length;
  if (pathUnits.length < n) pathUnits = new Uint16Array(Math.max(n, pathUnits.length * 2));
  for (let i = 0; i < n; i++) pathUnits[i] = path.charCodeAt(i);
  if (!relative) base = '';
  startWith(base, n);
  return workString(copyAndSanitize(base.length, pathUnits, 0, n));
}

/**
 * sinsp_utils::concatenate_paths for a relative path read from an event (first byte not '/'):
 * base copied as is, then the path bytes from b[o] up to their NUL, sanitized. No length cap
 * (evt.info's resolved form has none here).
 */
export function joinRelativePath(base: string, b: Uint8Array, o: number): string {
  let pe = o;
  const bl = b.length;
  while (pe < bl && b[pe] !== 0) pe++;
  startWith(base, pe - o);
  return workString(copyAndSanitize(base.length, b, o, pe));
}

/**
 * Result of concatenate_paths(base, path). `ok` is false when path was absolute (or empty)
 * — libsinsp returns false then, and some callers treat that differently.
 */
export function concatenatePathsEx(base: string, path: string): { path: string; ok: boolean } {
  // The path arg is a C string: stop at the first NUL.
  const z = path.indexOf('\0');
  if (z >= 0) path = path.slice(0, z);
  if (MAX_PATH < base.length + path.length + 1) return { path: '/PATH_TOO_LONG', ok: false };
  const ok = path.length !== 0 && path.charCodeAt(0) !== 0x2f;
  return { path: join(base, path, ok), ok };
}

export function concatenatePaths(base: string, path: string): string {
  return concatenatePathsEx(base, path).path;
}

/**
 * concatenate_paths with libsinsp's explicit len2: callers pass a parameter's length, which
 * counts the NUL, so an empty-string param (len2 1) is relative (joined to base, whose
 * trailing '/' the sanitizer then drops), while a zero-length param is treated as absolute.
 */
export function concatenatePathsLen(base: string, path: string, len2: number): string {
  const z = path.indexOf('\0');
  if (z >= 0) path = path.slice(0, z);
  if (MAX_PATH < base.length + len2 + 1) return '/PATH_TOO_LONG';
  return join(base, path, len2 !== 0 && path.charCodeAt(0) !== 0x2f);
}
