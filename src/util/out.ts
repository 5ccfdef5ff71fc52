/**
 * Buffered synchronous writer for stdout/stderr. Lines are byte strings (latin1) so trace
 * bytes reach the terminal unchanged; EAGAIN on non-blocking pipes is retried, EPIPE ends
 * the output quietly (as `falco-ts ... | head` expects).
 *
 * Output is assembled directly in one preallocated Buffer (no string concatenation, no
 * Buffer.from per flush): formatters on the hot path append pieces with str() / byte() /
 * int() and end the line with endLine(). Memory stays bounded by the buffer size whatever
 * the trace size.
 */
import * as fs from 'node:fs';

declare global {
  // Node's fast latin1 encoder (undocumented but stable since Node 0.x), like latin1Slice.
  interface Buffer {
    latin1Write(s: string, offset: number, length: number): number;
  }
}

/** strings up to this length are copied byte by byte in JS (cheaper than a native call) */
const SHORT = 48;

export class Out {
  closed = false;
  /** the pending bytes are buf[0 .. pos) */
  buf: Buffer;
  pos = 0;
  /** where the line being assembled started (see abortLine) */
  private mark = 0;
  private readonly base: number;

  /**
   * A line is never split by a flush: the buffer grows to hold it, so a line being built can
   * still be dropped (abortLine). Flushes happen between lines once `limit` bytes are pending.
   */
  constructor(
    private readonly fd: number,
    private readonly limit = 1 << 16,
  ) {
    this.base = limit + 1024;
    this.buf = Buffer.allocUnsafe(this.base);
  }

  write(s: string): void {
    this.str(s);
    this.mark = this.pos;
    if (this.pos >= this.limit) this.flush();
  }

  line(s: string): void {
    this.str(s);
    this.endLine();
  }

  /** Ends a line assembled with str()/byte()/int(): appends '\n' and flushes past the limit. */
  endLine(): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = 0x0a;
    this.mark = this.pos;
    if (this.pos >= this.limit) this.flush();
  }

  /** Drops what was appended since the last complete line. */
  abortLine(): void {
    this.pos = this.mark;
  }

  /** Appends a byte string (each char's low byte, as Buffer.from(s, 'latin1') does). */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    // (read pos after grow(): flushing the complete lines moves the partial one to the front)
    const pos = this.pos;
    const b = this.buf;
    if (n <= SHORT) {
      for (let i = 0; i < n; i++) b[pos + i] = s.charCodeAt(i);
      this.pos = pos + n;
    } else {
      this.pos = pos + b.latin1Write(s, pos, n);
    }
  }

  byte(c: number): void {
    if (this.pos >= this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Appends String(v) for a number (integers written digit by digit). */
  int(v: number): void {
    if (!(v >= -9007199254740991 && v <= 9007199254740991) || Math.floor(v) !== v || Object.is(v, -0)) {
      this.str(String(v));
      return;
    }
    if (this.pos + 24 > this.buf.length) this.grow(24);
    const b = this.buf;
    let pos = this.pos;
    if (v < 0) {
      b[pos++] = 0x2d;
      v = -v;
    }
    if (v < 10) {
      b[pos] = 48 + v;
      this.pos = pos + 1;
      return;
    }
    // count digits, then fill backwards
    let d = 1;
    for (let t = v; t >= 10; d++) t = Math.floor(t / 10);
    let e = pos + d;
    this.pos = e;
    if (v < 2147483648) {
      let x = v | 0;
      while (x >= 10) {
        const q = (x / 10) | 0;
        b[--e] = 48 + (x - q * 10);
        x = q;
      }
      b[pos] = 48 + x; // the leading digit (e is pos + 1 here)
    } else {
      let x = v;
      while (x >= 10) {
        const q = Math.floor(x / 10);
        b[--e] = 48 + (x - q * 10);
        x = q;
      }
      b[pos] = 48 + x;
    }
  }

  /** Makes sure n more bytes fit in buf at pos (for callers that write into buf directly). */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  /** Makes room for n more bytes: flushes the complete lines, grows for a long line. */
  private grow(n: number): void {
    if (this.mark > 0) {
      // write the complete lines, keep the partial one at the front
      const done = this.mark;
      this.writeAll(this.buf.subarray(0, done));
      this.buf.copyWithin(0, done, this.pos);
      this.pos -= done;
      this.mark = 0;
      if (this.pos + n <= this.buf.length) return;
    }
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 1024));
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  flush(): void {
    const n = this.pos;
    this.pos = 0;
    this.mark = 0;
    if (!this.closed && n > 0) this.writeAll(this.buf.subarray(0, n));
    if (this.buf.length > 4 * this.base) this.buf = Buffer.allocUnsafe(this.base);
  }

  private writeAll(data: Buffer): void {
    if (this.closed) return;
    while (data.length > 0) {
      try {
        const n = fs.writeSync(this.fd, data);
        data = data.subarray(n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
          continue;
        }
        if (code === 'EPIPE') {
          this.closed = true;
          return;
        }
        throw e;
      }
    }
  }
}
