/**
 * libsinsp's binary_buffer_to_string (e5c53d64) in every output format: how PT_BYTEBUF params
 * (read/write data, execve args, ...) are shown by default (non-printable bytes as '.'), with
 * -A (printable characters and line ends only), -x / -X (hex rows, hex + ASCII rows), -b
 * (base64) and the JSON variants sysdig selects with -j.
 *
 * Strings here are byte strings (latin1), as everywhere in the formatter.
 */

/** sinsp_evt::param_fmt bits (userspace/libsinsp/event.h). */
export const enum PFmt {
  NORMAL = 1 << 0,
  JSON = 1 << 1,
  SIMPLE = 1 << 2,
  HEX = 1 << 3,
  HEXASCII = 1 << 4,
  EOLS = 1 << 5,
  EOLS_COMPACT = 1 << 6,
  BASE64 = 1 << 7,
  JSONEOLS = 1 << 8,
  JSONHEX = 1 << 9,
  JSONHEXASCII = 1 << 10,
  JSONBASE64 = 1 << 11,
}

/** isprint() in the C locale: 0x20..0x7e. */
const DOTS = new Uint8Array(256);
for (let i = 0; i < 256; i++) DOTS[i] = i >= 0x20 && i <= 0x7e ? i : 0x2e;

const HEX2: string[] = [];
for (let i = 0; i < 256; i++) HEX2.push((i < 16 ? '0' : '') + i.toString(16));

let scratch = Buffer.allocUnsafe(4096);
function scratchFor(n: number): Buffer {
  if (scratch.length < n) scratch = Buffer.allocUnsafe(Math.max(n, scratch.length * 2));
  return scratch;
}

/** binary_buffer_to_string_dots: printable bytes as they are, the others as '.'. */
export function bufferToDots(src: Uint8Array, start: number, len: number): string {
  if (len <= 0) return '';
  const out = scratchFor(len);
  for (let i = 0; i < len; i++) out[i] = DOTS[src[start + i]];
  return out.latin1Slice(0, len);
}

/**
 * binary_buffer_to_asciionly_string: a leading '\n' (unless EOLS_COMPACT), printable bytes,
 * '\r' as '\n', '\n' only when not at index 0 and not after '\r'; everything else dropped.
 */
export function bufferToAsciiOnly(src: Uint8Array, start: number, len: number, fmt: PFmt): string {
  const out = scratchFor(len + 1);
  let k = 0;
  if (fmt !== PFmt.EOLS_COMPACT) out[k++] = 0x0a;
  for (let j = 0; j < len; j++) {
    const c = src[start + j];
    if (c >= 0x20 && c <= 0x7e) out[k++] = c;
    else if (c === 0x0d) out[k++] = 0x0a;
    else if (c === 0x0a) {
      if (j > 0 && src[start + j - 1] !== 0x0d) out[k++] = c;
    }
  }
  return out.latin1Slice(0, k);
}

/**
 * binary_buffer_to_hex_string: rows of 16 bytes "\n\t0xOOOO: hhhh hhhh ..." (big-endian 16-bit
 * groups, a lone last byte as 2 digits), with the ASCII column for HEXASCII / JSONHEXASCII,
 * then a final '\n'.
 */
export function bufferToHex(src: Uint8Array, start: number, len: number, fmt: PFmt): string {
  const ascii = (fmt & (PFmt.HEXASCII | PFmt.JSONHEXASCII)) !== 0;
  let s = '';
  for (let j = 0; j < len; j += 16) {
    const off = j.toString(16);
    s += '\n\t0x' + (off.length >= 4 ? off : '0000'.slice(off.length) + off) + ':';
    let chunks = 0;
    let p = j;
    while (chunks < 8 && p < len) {
      if (p === len - 1) s += ' ' + HEX2[src[start + p]];
      else s += ' ' + HEX2[src[start + p]] + HEX2[src[start + p + 1]];
      chunks++;
      p += 2;
    }
    if (ascii) {
      while (chunks < 8) {
        s += '     ';
        chunks++;
      }
      s += '  ';
      const e = Math.min(j + 16, len);
      for (let q = j; q < e; q++) s += String.fromCharCode(DOTS[src[start + q]]);
    }
  }
  return s + '\n';
}

/** binary_buffer_to_base64_string: standard alphabet with '=' padding. */
export function bufferToBase64(src: Uint8Array, start: number, len: number): string {
  const b = Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  return b.toString('base64', start, start + len);
}

/** binary_buffer_to_string: dispatch on the param_fmt bits (hex before base64 before JSON before EOLS). */
export function binaryBufferToString(src: Uint8Array, start: number, len: number, fmt: PFmt): string {
  if (len <= 0) return '';
  if ((fmt & (PFmt.HEX | PFmt.HEXASCII)) !== 0) return bufferToHex(src, start, len, fmt);
  if ((fmt & PFmt.BASE64) !== 0) return bufferToBase64(src, start, len);
  if ((fmt & (PFmt.JSON | PFmt.JSONHEX | PFmt.JSONEOLS | PFmt.JSONHEXASCII | PFmt.JSONBASE64)) !== 0) {
    switch (fmt) {
      case PFmt.JSONHEX:
      case PFmt.JSONHEXASCII:
        return bufferToHex(src, start, len, fmt);
      case PFmt.JSONEOLS:
        return bufferToAsciiOnly(src, start, len, fmt);
      case PFmt.JSONBASE64:
        return bufferToBase64(src, start, len);
      default:
        return bufferToDots(src, start, len);
    }
  }
  if ((fmt & (PFmt.EOLS | PFmt.EOLS_COMPACT)) !== 0) return bufferToAsciiOnly(src, start, len, fmt);
  return bufferToDots(src, start, len);
}

/**
 * The PT_BYTEBUF rendering of get_param_as_str: binary_buffer_to_string, then, for PF_NORMAL
 * only and when maxLen (sysdig's 80 unless -v) is exceeded, the first maxLen-3 characters
 * followed by "...". Only the needed prefix is converted.
 */
export function renderByteBuf(src: Uint8Array, start: number, len: number, fmt: PFmt, maxLen: number): string {
  if (fmt === PFmt.NORMAL) {
    if (maxLen !== 0 && len > maxLen) {
      if (maxLen > 3) return bufferToDots(src, start, maxLen - 3) + '...';
      return bufferToDots(src, start, maxLen);
    }
    return bufferToDots(src, start, len);
  }
  return binaryBufferToString(src, start, len, fmt);
}

/** sysdig's CLI buffer-format names (-A -x -X -b, with -j) as param_fmt bits. */
export function bufferFormatBits(name: string): PFmt {
  switch (name) {
    case 'ascii':
      return PFmt.EOLS;
    case 'hex':
      return PFmt.HEX;
    case 'hexascii':
      return PFmt.HEXASCII;
    case 'base64':
      return PFmt.BASE64;
    case 'json':
      return PFmt.JSON;
    case 'jsonascii':
      return PFmt.JSONEOLS;
    case 'jsonhex':
      return PFmt.JSONHEX;
    case 'jsonhexascii':
      return PFmt.JSONHEXASCII;
    case 'jsonbase64':
      return PFmt.JSONBASE64;
    default:
      return PFmt.NORMAL;
  }
}
