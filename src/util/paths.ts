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

/** Appends `path` (sanitized) to out[] starting at index `start`; `base` limits '..' rewinds. */
function copyAndSanitize(out: number[], start: number, path: string): void {
  let tc = start;
  let pc = 0;
  const n = path.length;
  const at = (i: number) => (i < n ? path.charCodeAt(i) : 0);
  const rewind = (delta: number) => {
    if (tc <= 1) {
      pc += delta;
      return;
    }
    tc--;
    while (tc >= 1 && out[tc - 1] !== 0x2f) tc--;
    if (tc < 0) tc = 0;
    pc += delta;
  };
  for (;;) {
    const c = at(pc);
    if (c === 0) {
      if (tc > 1 && out[tc - 1] === 0x2f) tc--;
      out.length = tc;
      return;
    }
    if (invalidChar(c)) {
      out[tc++] = 0x2e;
      pc++;
    } else if (c === 0x2e && at(pc + 1) === 0x2e && at(pc + 2) === 0x2f) {
      rewind(3);
    } else if (c === 0x2e && at(pc + 1) === 0x2e) {
      if (at(pc + 2) === 0) {
        rewind(2);
      } else {
        out[tc++] = 0x2e;
        out[tc++] = 0x2e;
        pc += 2;
      }
    } else if (c === 0x2e && at(pc + 1) === 0x2f) {
      pc += 2;
    } else if (c === 0x2e) {
      if (at(pc + 1) === 0) pc++;
      else {
        out[tc++] = c;
        pc++;
      }
    } else if (c === 0x2f) {
      if (tc > 0 && out[tc - 1] === 0x2f) pc++;
      else {
        out[tc++] = c;
        pc++;
      }
    } else {
      out[tc++] = c;
      pc++;
    }
  }
}

function fromCodes(a: number[]): string {
  let s = '';
  for (let i = 0; i < a.length; i += 8192) s += String.fromCharCode.apply(null, a.slice(i, i + 8192));
  return s;
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
  const out: number[] = [];
  if (path.length !== 0 && path.charCodeAt(0) !== 0x2f) {
    for (let i = 0; i < base.length; i++) out.push(base.charCodeAt(i));
    copyAndSanitize(out, base.length, path);
    return { path: fromCodes(out), ok: true };
  }
  copyAndSanitize(out, 0, path);
  return { path: fromCodes(out), ok: false };
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
  const out: number[] = [];
  if (len2 !== 0 && path.charCodeAt(0) !== 0x2f) {
    for (let i = 0; i < base.length; i++) out.push(base.charCodeAt(i));
    copyAndSanitize(out, base.length, path);
  } else {
    copyAndSanitize(out, 0, path);
  }
  return fromCodes(out);
}
