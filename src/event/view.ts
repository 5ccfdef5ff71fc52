/**
 * The reusable event view: one object points at the current event's bytes inside a batch
 * buffer and decodes fields only when asked (no allocation per event). It is valid only
 * during the callback that receives it; whoever keeps data copies it out.
 */
import { EVENTS } from './generated/events';
import type { EventInfo } from './types';

declare global {
  // Node's fast latin1 decoder (undocumented but stable since Node 0.x).
  interface Buffer {
    latin1Slice(start: number, end: number): string;
  }
}

const TWO32 = 4294967296;
const M32 = TWO32 % 1e9; // 2^32 mod 1e9
const M48 = (TWO32 * 65536) % 1e9; // 2^48 mod 1e9, exact (2^48 < 2^53)
let tsBaseHi = -1;

export class EventView {
  buf: Buffer = Buffer.alloc(0);
  /** offset of the ppm_evt_hdr */
  off = 0;
  /** offset of the first parameter-length slot */
  lensOff = 0;
  /** 2 or 4: width of the parameter lengths */
  lenWidth = 2;
  /** total event length per the header (v2 layout) */
  len = 0;
  type = 0;
  /** params present in the file (after v1 conversion) */
  nparams = 0;
  cpu = 0;
  dumpFlags = 0;
  tid = 0;
  tsHi = 0;
  tsLo = 0;
  /** 1-based number of this event in the stream, counting every event like sysdig's evt.num */
  num = 0;
  /** absolute offset of the event block in the uncompressed stream */
  blockOffset = 0;
  info: EventInfo | null = null;
  /** true when the event came from a v1 block (22-byte header, no nparams on disk) */
  v1 = false;

  // Lazily computed parameter offsets, valid while paramsStamp === num.
  private readonly poff = new Int32Array(64);
  private readonly plen = new Int32Array(64);
  private paramsFor = -1;

  /** The event info from our table (e5c53d64 + newer codes), or null for an unknown code. */
  get evinfo(): EventInfo | null {
    return this.info;
  }

  /** Number of params usable: min(file, table) as libsinsp does. */
  get paramCount(): number {
    const i = this.info;
    if (i === null) return 0;
    return this.nparams < i.params.length ? this.nparams : i.params.length;
  }

  isEnter(): boolean {
    return (this.type & 1) === 0;
  }

  private loadParams(): void {
    const n = Math.min(this.nparams, 64);
    const b = this.buf;
    const lensOff = this.lensOff;
    let p = lensOff + this.nparams * this.lenWidth;
    const end = this.off + this.len;
    const wide = this.lenWidth !== 2;
    for (let i = 0; i < n; i++) {
      let l: number;
      if (wide) {
        const o = lensOff + i * 4;
        l = (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
      } else {
        const o = lensOff + i * 2;
        l = b[o] | (b[o + 1] << 8);
      }
      // A length running past the event is clamped so readers never leave the event; so is
      // the offset of a param after it (renderers index the buffer at the offset itself).
      this.poff[i] = p <= end ? p : end;
      const lim = end - p;
      this.plen[i] = l <= lim ? l : lim > 0 ? lim : 0;
      p += l;
    }
    this.paramsFor = this.num;
  }

  paramOffset(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    return this.poff[i];
  }
  paramLen(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    return this.plen[i];
  }
  /** True when param i exists in this event. */
  has(i: number): boolean {
    return i < this.paramCount;
  }

  // Typed readers: callers check has(i) and the length first where it matters. Reads stay
  // inside the param (lengths are clamped to the event), so inline byte reads are in bounds.
  u8(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    return this.plen[i] >= 1 ? this.buf[this.poff[i]] : 0;
  }
  i8(i: number): number {
    return (this.u8(i) << 24) >> 24;
  }
  u16(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    if (this.plen[i] < 2) return 0;
    const b = this.buf,
      o = this.poff[i];
    return b[o] | (b[o + 1] << 8);
  }
  i16(i: number): number {
    return (this.u16(i) << 16) >> 16;
  }
  u32(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    if (this.plen[i] < 4) return 0;
    const b = this.buf,
      o = this.poff[i];
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
  }
  i32(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    if (this.plen[i] < 4) return 0;
    const b = this.buf,
      o = this.poff[i];
    return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
  }
  /** signed 64-bit as a Number (exact within ±2^53) */
  i64(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    const l = this.plen[i];
    const b = this.buf,
      o = this.poff[i];
    if (l < 8) return l >= 4 ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24) : 0;
    return (
      (b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) * TWO32 +
      ((b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0)
    );
  }
  u64(i: number): number {
    if (this.paramsFor !== this.num) this.loadParams();
    const l = this.plen[i];
    const b = this.buf,
      o = this.poff[i];
    if (l < 8) return l >= 4 ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : 0;
    return (
      ((b[o + 4] | (b[o + 5] << 8) | (b[o + 6] << 16) | (b[o + 7] << 24)) >>> 0) * TWO32 +
      ((b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0)
    );
  }
  /** exact 64-bit values, for the rare fields that need them */
  bigU64(i: number): bigint {
    return this.paramLen(i) >= 8 ? this.buf.readBigUInt64LE(this.paramOffset(i)) : BigInt(this.u32(i));
  }
  bigI64(i: number): bigint {
    return this.paramLen(i) >= 8 ? this.buf.readBigInt64LE(this.paramOffset(i)) : BigInt(this.i32(i));
  }

  /** NUL-terminated string param as a byte string (stops at the first NUL). */
  str(i: number): string {
    const o = this.paramOffset(i),
      l = this.paramLen(i);
    let e = o;
    const end = o + l;
    const b = this.buf;
    while (e < end && b[e] !== 0) e++;
    return b.latin1Slice(o, e);
  }
  /** raw bytes of a param (a view, not a copy) */
  bytes(i: number): Buffer {
    const o = this.paramOffset(i);
    return this.buf.subarray(o, o + this.paramLen(i));
  }

  /** Timestamp as seconds since the epoch (integer part) and nanoseconds, exactly. */
  tsNanos(): number {
    const hi = this.tsHi;
    return ((hi >>> 16) * M48 + (hi & 0xffff) * M32 + this.tsLo) % 1e9;
  }
  tsSeconds(): number {
    const ns = this.tsNanos();
    return Math.round((this.tsHi * TWO32 + (this.tsLo - ns)) / 1e9);
  }
  /**
   * Timestamp in ns relative to a process-wide base (the high word of the first event seen):
   * exact, unlike a double holding the absolute ns (±256 ns at 2^60), so differences such as
   * evt.latency match sysdig. Use it only for differences and ordering.
   */
  tsApprox(): number {
    // (a leading event stamped 0, e.g. a container event, must not become the base: the
    // differences of real stamps would then lose their low bits as doubles)
    if (tsBaseHi <= 0) tsBaseHi = this.tsHi;
    return (this.tsHi - tsBaseHi) * TWO32 + this.tsLo;
  }
  tsBig(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }

  /** Copy of the raw event bytes (header through params), for writers. */
  rawEvent(): Buffer {
    return this.buf.subarray(this.off, this.off + this.len);
  }

  /** Point the view at an event in buf (v2 layout, or v1 with v1 = true). */
  set(buf: Buffer, off: number, lensOff: number, len: number, type: number, nparams: number, v1: boolean): void {
    this.v1 = v1;
    this.buf = buf;
    this.off = off;
    this.lensOff = lensOff;
    this.len = len;
    this.type = type;
    this.nparams = nparams;
    const info = type < EVENTS.length ? EVENTS[type] : null;
    this.info = info;
    this.lenWidth = info !== null && info.large ? 4 : 2;
  }

  /** set() for the reader's hot loop, which already has the table entry. */
  setHot(
    buf: Buffer,
    off: number,
    lensOff: number,
    len: number,
    type: number,
    info: EventInfo,
    nparams: number,
    v1: boolean,
  ): void {
    this.v1 = v1;
    this.buf = buf;
    this.off = off;
    this.lensOff = lensOff;
    this.len = len;
    this.type = type;
    this.nparams = nparams;
    this.info = info;
    this.lenWidth = info.large ? 4 : 2;
  }
}
