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

/** The working buffer of the joins (bytes: every string in the state is latin1, see `wide`). */
let work = Buffer.allocUnsafe(4096);
/** A string path as bytes, for the walk (a character above 0xff as 0xff: invalid either way). */
let pathBytes = Buffer.allocUnsafe(1024);

/**
 * work[0..base.length) = base, grown to hold `extra` more bytes (the walk writes at most that
 * many); false, with nothing written, when base has a character above 0xff (see wideJoin).
 */
function startWith(base: string, extra: number): boolean {
  const n = base.length;
  const need = n + extra + 4;
  if (work.length < need) work = Buffer.allocUnsafe(Math.max(need, work.length * 2));
  for (let i = 0; i < n; i++) {
    const c = base.charCodeAt(i);
    if (c > 0xff) return false;
    work[i] = c;
  }
  return true;
}

/**
 * copy_and_sanitize_path: appends src[pc..pe) to t[] from index `tc`, with '.'/'..'
 * handling ('..' may climb back into what is already there, never above its first byte),
 * '//' folding, invalid bytes as '.', and a trailing '/' dropped. Returns the new length.
 */
function copyAndSanitize(t: Uint8Array | Uint16Array, tc: number, src: Uint8Array, pc: number, pe: number): number {
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

/** The join for a base with characters above 0xff (never from a trace): the walk on code units. */
function wideJoin(base: string, src: Uint8Array, pc: number, pe: number): string {
  const t = new Uint16Array(base.length + (pe - pc) + 4);
  for (let i = 0; i < base.length; i++) t[i] = base.charCodeAt(i);
  const n = copyAndSanitize(t, base.length, src, pc, pe);
  let s = '';
  for (let i = 0; i < n; i += 8192) s += String.fromCharCode(...t.subarray(i, Math.min(n, i + 8192)));
  return s;
}

/** base, then src[pc..pe) sanitized. */
function joinBytes(base: string, src: Uint8Array, pc: number, pe: number): string {
  if (!startWith(base, pe - pc)) return wideJoin(base, src, pc, pe);
  return work.latin1Slice(0, copyAndSanitize(work, base.length, src, pc, pe));
}

/** The string joins' common part: base (when relative), then `path` (already cut at its NUL) sanitized. */
function join(base: string, path: string, relative: boolean): string {
  const n = path.length;
  if (pathBytes.length < n) pathBytes = Buffer.allocUnsafe(Math.max(n, pathBytes.length * 2));
  for (let i = 0; i < n; i++) {
    const c = path.charCodeAt(i);
    pathBytes[i] = c > 0xff ? 0xff : c;
  }
  return joinBytes(relative ? base : '', pathBytes, 0, n);
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
  return joinBytes(base, b, o, pe);
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
