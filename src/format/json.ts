/**
 * JSON string quoting as jsoncpp 1.9.5's FastWriter does it (sysdig -j, Falco JSON alerts):
 * strings are byte strings; non-ASCII bytes are decoded as UTF-8 and written as \uXXXX
 * (surrogate pairs above U+FFFF, U+FFFD for invalid sequences); controls as \b \f \n \r \t
 * or \u00XX.
 */
import type { Out } from '../util/out';

const HEX = '0123456789abcdef';

function u4(cp: number): string {
  return '\\u' + HEX[(cp >> 12) & 15] + HEX[(cp >> 8) & 15] + HEX[(cp >> 4) & 15] + HEX[cp & 15];
}

/** Fast check: nothing to escape. */
const SAFE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

export function jsonQuote(s: string): string {
  if (SAFE.test(s)) return '"' + s + '"';
  let out = '"';
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += '\\\\';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      out += u4(c);
      continue;
    }
    if (c < 0x80) {
      out += s[i];
      continue;
    }
    let cp = codepointAt(s, i, c);
    i += cpExtra;
    if (cp < 0x20) {
      out += u4(cp);
      continue;
    }
    if (cp < 0x80) {
      out += String.fromCharCode(cp);
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += u4(0xd800 + ((cp >> 10) & 0x3ff)) + u4(0xdc00 + (cp & 0x3ff));
    } else {
      out += u4(cp);
    }
  }
  return out + '"';
}

/** Extra bytes the last codepointAt() consumed after the lead byte. */
let cpExtra = 0;

/**
 * jsoncpp's utf8ToCodepoint over a byte string (one latin1 char per byte) at i, whose lead
 * byte c is >= 0x80: the code point (U+FFFD for an invalid sequence); sets cpExtra.
 */
function codepointAt(s: string, i: number, c: number): number {
  const n = s.length;
  cpExtra = 0;
  let cp = 0xfffd;
  if (c < 0xe0) {
    if (n - i >= 2) {
      cp = ((c & 0x1f) << 6) | (s.charCodeAt(i + 1) & 0x3f);
      cpExtra = 1;
      if (cp < 0x80) cp = 0xfffd;
    }
  } else if (c < 0xf0) {
    if (n - i >= 3) {
      cp = ((c & 0x0f) << 12) | ((s.charCodeAt(i + 1) & 0x3f) << 6) | (s.charCodeAt(i + 2) & 0x3f);
      cpExtra = 2;
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp < 0x800) cp = 0xfffd;
    }
  } else if (c < 0xf8) {
    if (n - i >= 4) {
      cp =
        ((c & 0x07) << 18) |
        ((s.charCodeAt(i + 1) & 0x3f) << 12) |
        ((s.charCodeAt(i + 2) & 0x3f) << 6) |
        (s.charCodeAt(i + 3) & 0x3f);
      cpExtra = 3;
      if (cp < 0x10000) cp = 0xfffd;
    }
  }
  return cp;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * The text a byte string stands for in a JSON line: decoded as jsonQuote() decodes it
 * (jsoncpp's rules, U+FFFD for invalid sequences, 4-byte sequences as surrogate pairs), so
 * JSON.stringify of the result and jsonQuote of the bytes are the same JSON string.
 */
export function jsoncppText(s: string): string {
  if (ASCII.test(s)) return s;
  let out = '';
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += s[i];
      continue;
    }
    let cp = codepointAt(s, i, c);
    i += cpExtra;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += String.fromCharCode(0xd800 + ((cp >> 10) & 0x3ff), 0xdc00 + (cp & 0x3ff));
    } else {
      out += String.fromCharCode(cp);
    }
  }
  return out;
}

/** jsonQuote(s) appended to out (plain ASCII copied directly; anything else via jsonQuote). */
export function jsonQuoteInto(out: Out, s: string): void {
  const n = s.length;
  out.ensure(n + 2);
  const b = out.buf;
  const start = out.pos;
  let p = start;
  b[p++] = 0x22;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      out.pos = start;
      out.str(jsonQuote(s));
      return;
    }
    b[p++] = c;
  }
  b[p++] = 0x22;
  out.pos = p;
}
