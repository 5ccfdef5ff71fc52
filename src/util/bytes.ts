/** Byte helpers for hot paths. */

/** src[s, e) → dst[d...]: a plain loop for short runs beats Buffer.copy's fixed cost (~40 ns). */
export function copyBytes(src: Buffer, s: number, e: number, dst: Buffer, d: number): void {
  if (e - s > 48) {
    src.copy(dst, d, s, e);
    return;
  }
  while (s < e) dst[d++] = src[s++];
}

/**
 * A zeroed buffer for small per-object state (socket addresses...): carved from Node's shared
 * pool instead of a fresh ArrayBuffer each, which costs an allocation and GC tracking apiece.
 */
export function smallZeroed(n: number): Buffer {
  return Buffer.allocUnsafe(n).fill(0);
}

/** Decodes a latin1 byte string (trace bytes) as UTF-8, invalid sequences → U+FFFD. */
export function textFromBytes(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}
