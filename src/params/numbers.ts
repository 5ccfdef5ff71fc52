/**
 * Parameter bytes as numbers and numbers as libsinsp prints them (printf's %d, %u, %X, %#o,
 * %09d, %lg), for evt.info and its JSON form. Readers take the type's width from the param's
 * start whatever the stored length, as the C code dereferences its payload pointer.
 */
import { PF } from '../event/types';

export const TWO32 = 4294967296;

// Raw readers: the C code dereferences the payload pointer with the type's width whatever the
// stored length, so we do too (zero past the end of the buffer).

export function rdU8(b: Buffer, o: number): number {
  return o < b.length ? b[o] : 0;
}
export function rdU16(b: Buffer, o: number): number {
  return o + 2 <= b.length ? b[o] | (b[o + 1] << 8) : rdU8(b, o) | (rdU8(b, o + 1) << 8);
}
export function rdU32(b: Buffer, o: number): number {
  if (o + 4 <= b.length) return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  return (rdU8(b, o) | (rdU8(b, o + 1) << 8) | (rdU8(b, o + 2) << 16) | (rdU8(b, o + 3) << 24)) >>> 0;
}
export function rdI32(b: Buffer, o: number): number {
  if (o + 4 <= b.length) return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
  return rdU32(b, o) | 0;
}

/** int64 at o as a Number (exact within +-2^53) */
export function rdI64(b: Buffer, o: number): number {
  return rdI32(b, o + 4) * TWO32 + rdU32(b, o);
}

/** decimal of the signed 64-bit value hi:lo (hi signed 32, lo unsigned 32) */
export function decHiLo(hi: number, lo: number): string {
  if (hi === 0) return lo < 0x40000000 ? '' + lo : String(lo);
  if (hi === -1 && lo >= 0x80000000) return '' + (lo - TWO32);
  if (hi >= -2097152 && hi < 2097152) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) + BigInt(lo)).toString();
}

/** "%" PRId64 of the 8 bytes at o */
export function decI64(b: Buffer, o: number): string {
  return decHiLo(rdI32(b, o + 4), rdU32(b, o));
}
/** "%" PRIu64 of the 8 bytes at o */
export function decU64(b: Buffer, o: number): string {
  const hi = rdU32(b, o + 4),
    lo = rdU32(b, o);
  if (hi < 2097152) return String(hi * TWO32 + lo);
  return ((BigInt(hi) << 32n) + BigInt(lo)).toString();
}
const HEX2U: string[] = [];
export const HEX2L: string[] = [];
const HEX1U: string[] = [];
export const HEX1L: string[] = [];
for (let i = 0; i < 256; i++) {
  const l = i.toString(16);
  HEX1L.push(l);
  HEX1U.push(l.toUpperCase());
  HEX2L.push(l.length === 1 ? '0' + l : l);
  HEX2U.push(HEX2L[i].toUpperCase());
}
/** v (u32) in hex without leading zeros */
export function hex32(v: number, h1: string[], h2: string[]): string {
  if (v < 0x100) return h1[v];
  if (v < 0x10000) return h1[v >>> 8] + h2[v & 0xff];
  if (v < 0x1000000) return h1[v >>> 16] + h2[(v >>> 8) & 0xff] + h2[v & 0xff];
  return h1[v >>> 24] + h2[(v >>> 16) & 0xff] + h2[(v >>> 8) & 0xff] + h2[v & 0xff];
}
/** v (u32) as 8 hex digits */
function hex32pad(v: number, h2: string[]): string {
  return h2[v >>> 24] + h2[(v >>> 16) & 0xff] + h2[(v >>> 8) & 0xff] + h2[v & 0xff];
}
/** "%" PRIX64 (or PRIx64) of the 8 bytes at o */
function hexU64(b: Buffer, o: number, upper: boolean): string {
  const hi = rdU32(b, o + 4),
    lo = rdU32(b, o);
  const h1 = upper ? HEX1U : HEX1L,
    h2 = upper ? HEX2U : HEX2L;
  return hi === 0 ? hex32(lo, h1, h2) : hex32(hi, h1, h2) + hex32pad(lo, h2);
}
/** "%#" PRIo64 of the 8 bytes at o */
function octU64(b: Buffer, o: number): string {
  const hi = rdU32(b, o + 4),
    lo = rdU32(b, o);
  if (hi === 0 && lo === 0) return '0';
  return '0' + ((BigInt(hi) << 32n) + BigInt(lo)).toString(8);
}
/** "%09d" */
function pad09(v: number | string): string {
  const s = String(v);
  if (s[0] === '-') {
    const a = s.slice(1);
    return a.length >= 8 ? s : '-' + '00000000'.slice(a.length) + a;
  }
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

/**
 * SET_NUMERIC_FORMAT for values of at most 32 bits: `signed` is the value as C's printf sees it
 * for %d (already sign-converted as the C types promote), `bits32` the same bits unsigned.
 */
export function fmtNum32(fmt: PF, signed: number, bits32: number): string {
  switch (fmt) {
    case PF.OCT:
      return bits32 === 0 ? '0' : '0' + bits32.toString(8);
    case PF.HEX:
      return hex32(bits32, HEX1U, HEX2U);
    case PF.PADDED_DEC:
      return pad09(signed);
    default:
      return String(signed);
  }
}
export function fmtNum64(fmt: PF, b: Buffer, o: number): string {
  switch (fmt) {
    case PF.OCT:
      return octU64(b, o);
    case PF.HEX:
      return hexU64(b, o, true);
    case PF.PADDED_DEC:
      return pad09(decI64(b, o));
    default:
      return decI64(b, o);
  }
}

/**
 * printf("%lg", v) as glibc prints it: 6 significant digits rounded half-to-even on the exact
 * binary value, trailing zeros removed, exponent form when the exponent is < -4 or >= 6.
 */
export function fmtG(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (!isFinite(v)) return v > 0 ? 'inf' : v < 0 ? '-inf' : '-nan';
  const neg = v < 0;
  const a = neg ? -v : v;
  // exact decimal expansion (exact for a < 1e21 with up to 100 fraction digits, enough for ns)
  const fx = a < 1e21 ? a.toFixed(100) : BigInt(a).toString();
  const dot = fx.indexOf('.');
  const intLen = dot < 0 ? fx.length : dot;
  const all = dot < 0 ? fx : fx.slice(0, dot) + fx.slice(dot + 1);
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 0x30) first++;
  if (first === all.length) return neg ? '-0' : '0';
  let x = intLen - first - 1; // decimal exponent of the first significant digit
  const P = 6;
  const digits: number[] = [];
  for (let k = 0; k < P; k++) {
    const idx = first + k;
    digits.push(idx < all.length ? all.charCodeAt(idx) - 48 : 0);
  }
  const nextIdx = first + P;
  const next = nextIdx < all.length ? all.charCodeAt(nextIdx) - 48 : 0;
  let restNonZero = false;
  for (let k = nextIdx + 1; k < all.length; k++)
    if (all.charCodeAt(k) !== 0x30) {
      restNonZero = true;
      break;
    }
  const roundUp = next > 5 || (next === 5 && (restNonZero || (digits[P - 1] & 1) === 1));
  if (roundUp) {
    let k = P - 1;
    while (k >= 0) {
      digits[k]++;
      if (digits[k] < 10) break;
      digits[k] = 0;
      k--;
    }
    if (k < 0) {
      digits.unshift(1);
      digits.pop();
      x++;
    }
  }
  let out: string;
  if (x < -4 || x >= P) {
    let m = String(digits[0]);
    let last = P - 1;
    while (last > 0 && digits[last] === 0) last--;
    if (last > 0) {
      m += '.';
      for (let k = 1; k <= last; k++) m += digits[k];
    }
    const ax = x < 0 ? -x : x;
    out = m + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' : '') + ax;
  } else {
    // fixed: P - 1 - x decimals
    let ip = '',
      fp = '';
    for (let k = 0; k < P; k++) {
      if (k <= x) ip += digits[k];
      else fp += digits[k];
    }
    if (x < 0) {
      ip = '0';
      fp = '0'.repeat(-x - 1) + digits.join('');
    }
    let e = fp.length;
    while (e > 0 && fp.charCodeAt(e - 1) === 0x30) e--;
    fp = fp.slice(0, e);
    out = fp === '' ? ip : ip + '.' + fp;
  }
  return neg ? '-' + out : out;
}

/** "%" PRIx64 of the u64 at o (lower case) */
export function hex64(b: Buffer, o: number): string {
  return hexU64(b, o, false);
}

/** A 64-bit param as jsoncpp holds it: Int64 (signed) or UInt64 (unsigned), exact. */
export function json64(b: Buffer, o: number, signed: boolean): number | bigint {
  const lo = rdU32(b, o);
  if (signed) {
    const hi = rdI32(b, o + 4);
    if (hi >= -2097152 && hi < 2097152) return hi * TWO32 + lo;
    return (BigInt(hi) << 32n) + BigInt(lo);
  }
  const hi = rdU32(b, o + 4);
  if (hi < 2097152) return hi * TWO32 + lo;
  return (BigInt(hi) << 32n) + BigInt(lo);
}
