import { TraceFormatError } from '../util/errors';

/**
 * Bounds-checked little-endian reader over one block body (tcpdump's GET_LE_U_n idea):
 * every read checks the window, so a corrupt length can never read a neighbour's bytes.
 */
export class Cursor {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    public end: number,
    readonly base: number,
    readonly what: string,
  ) {
    this.pos = start;
  }
  /** Absolute file offset of the current position, for error messages. */
  at(): number {
    return this.base + this.pos;
  }
  remaining(): number {
    return this.end - this.pos;
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end)
      throw new TraceFormatError(`corrupt ${this.what}: field runs past the end of its entry`, this.at());
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  /** u64 as a Number (exact below 2^53, which covers pids, fds, sizes). */
  u64(): number {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos),
      hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  i64(): number {
    this.need(8);
    const lo = this.buf.readUInt32LE(this.pos),
      hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  /** u16 length + bytes, checked against a maximum like libscap does. */
  str16(max: number, field: string): string {
    const at = this.at();
    const n = this.u16();
    if (n > max) throw new TraceFormatError(`corrupt ${this.what}: ${field} length ${n} exceeds ${max}`, at);
    this.need(n);
    const s = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
