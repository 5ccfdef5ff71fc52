/**
 * LZ4 frame codec (lz4_Frame_format.md, magic 0x184D2204) in pure TypeScript.
 *
 * Decoder: streaming, bounded memory (one block of staged input, one block of output plus a
 * 64 KiB history window for linked blocks), handles concatenated, skippable and legacy frames,
 * verifies header/block/content checksums (xxHash32). Every malformed input ends in an
 * Lz4Error carrying the offset in the compressed stream.
 *
 * Encoder: greedy single-probe compressor in the style of LZ4_compress_fast, producing
 * independent blocks that any lz4 decoder accepts.
 */

const FRAME_MAGIC = 0x184d2204;
const LEGACY_MAGIC = 0x184c2102;
const SKIPPABLE_MAGIC = 0x184d2a50; // low nibble is free: 0x184D2A50..0x184D2A5F
const HISTORY = 65536; // linked blocks may reference up to 64 KiB of earlier output
const LEGACY_BLOCK = 8 << 20; // legacy frames: every block decompresses to at most 8 MiB
const LEGACY_MAX_COMPRESSED = compressBound(LEGACY_BLOCK);

const MIN_MATCH = 4;
const LAST_LITERALS = 5; // the block format requires the last 5 bytes to be literals...
const MFLIMIT = 12; // ...and the last match to start at least 12 bytes before the end
const MAX_DISTANCE = 65535;
const SKIP_TRIGGER = 6; // after 2^6 failed probes, start skipping ahead (fast on incompressible data)
const HASH_LOG = 14;
const HASH_SHIFT = 32 - HASH_LOG;
const WORD_COPY_MAX = 256; // longer runs go through native set()/copyWithin()

/** Worst-case compressed size of a block of n bytes (LZ4_COMPRESSBOUND). */
function compressBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

/** Malformed or truncated LZ4 data; `offset` is the byte offset in the compressed stream. */
export class Lz4Error extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`lz4: ${message} at compressed offset ${offset}`);
    this.name = 'Lz4Error';
    this.offset = offset;
  }
}

// ---------------------------------------------------------------------------------------------
// xxHash32

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

function rd32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

function wr32(b: Uint8Array, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
}

/** DataView word access beats assembling words from bytes several times over in V8. */
function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Tail mixing and avalanche shared by the one-shot and streaming variants. */
function xxhFinish(h: number, b: Uint8Array, p: number, end: number): number {
  for (; p + 4 <= end; p += 4) h = Math.imul(rotl((h + Math.imul(rd32(b, p), P3)) | 0, 17), P4);
  for (; p < end; p++) h = Math.imul(rotl((h + Math.imul(b[p], P5)) | 0, 11), P1);
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One-shot xxHash32 of b[p, end) with seed 0. */
function xxh32(b: Uint8Array, p: number, end: number): number {
  const len = end - p;
  let h: number;
  if (len >= 16) {
    const dv = view(b);
    let v1 = (P1 + P2) | 0;
    let v2 = P2;
    let v3 = 0;
    let v4 = -P1 | 0;
    for (const limit = end - 16; p <= limit; p += 16) {
      v1 = Math.imul(rotl((v1 + Math.imul(dv.getInt32(p, true), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(dv.getInt32(p + 4, true), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(dv.getInt32(p + 8, true), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(dv.getInt32(p + 12, true), P2)) | 0, 13), P1);
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = P5;
  }
  return xxhFinish((h + len) | 0, b, p, end);
}

/** Streaming xxHash32 (seed 0), for content checksums. */
class Xxh32 {
  private v1 = 0;
  private v2 = 0;
  private v3 = 0;
  private v4 = 0;
  private total = 0;
  private readonly mem = new Uint8Array(16);
  private memLen = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.v1 = (P1 + P2) | 0;
    this.v2 = P2;
    this.v3 = 0;
    this.v4 = -P1 | 0;
    this.total = 0;
    this.memLen = 0;
  }

  update(b: Uint8Array, p: number, end: number): void {
    this.total += end - p;
    const mem = this.mem;
    if (this.memLen + (end - p) < 16) {
      mem.set(b.subarray(p, end), this.memLen);
      this.memLen += end - p;
      return;
    }
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    if (this.memLen > 0) {
      const fill = 16 - this.memLen;
      mem.set(b.subarray(p, p + fill), this.memLen);
      p += fill;
      this.memLen = 0;
      v1 = Math.imul(rotl((v1 + Math.imul(rd32(mem, 0), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(rd32(mem, 4), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(rd32(mem, 8), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(rd32(mem, 12), P2)) | 0, 13), P1);
    }
    const dv = view(b);
    for (const limit = end - 16; p <= limit; p += 16) {
      v1 = Math.imul(rotl((v1 + Math.imul(dv.getInt32(p, true), P2)) | 0, 13), P1);
      v2 = Math.imul(rotl((v2 + Math.imul(dv.getInt32(p + 4, true), P2)) | 0, 13), P1);
      v3 = Math.imul(rotl((v3 + Math.imul(dv.getInt32(p + 8, true), P2)) | 0, 13), P1);
      v4 = Math.imul(rotl((v4 + Math.imul(dv.getInt32(p + 12, true), P2)) | 0, 13), P1);
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
    if (p < end) {
      mem.set(b.subarray(p, end), 0);
      this.memLen = end - p;
    }
  }

  digest(): number {
    const h = this.total >= 16 ? (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0 : P5;
    // the spec adds the length modulo 2^32; >>> 0 wraps exactly for lengths below 2^53
    return xxhFinish((h + (this.total >>> 0)) | 0, this.mem, 0, this.memLen);
  }
}

// ---------------------------------------------------------------------------------------------
// Block decoder

// Error details of the last failed decodeBlock call (kept out of the hot loop's return value).
let decodeErrMsg = '';
let decodeErrPos = 0;

function decodeFail(msg: string, pos: number): number {
  decodeErrMsg = msg;
  decodeErrPos = pos;
  return -1;
}

/**
 * Decodes the LZ4 block src[ip, iend) into dst starting at op, writing no further than oend.
 * Matches may reach back to wstart (history of linked blocks, or the block start).
 * Returns the new output end, or -1 with decodeErrMsg/decodeErrPos set.
 */
function decodeBlock(
  src: Uint8Array,
  ip: number,
  iend: number,
  dst: Uint8Array,
  op: number,
  oend: number,
  wstart: number,
): number {
  const sv = view(src);
  const dv = view(dst);
  // word copies may touch 3 bytes beyond a run; they stay inside the buffers below these limits
  const srcSafe = src.length - 4;
  const dstSafe = dst.length - 4;
  for (;;) {
    if (ip >= iend) return decodeFail('block ends without its final literal run', ip);
    const token = src[ip++];

    // literals
    let len = token >>> 4;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= iend) return decodeFail('truncated literal length in block', ip);
        b = src[ip++];
        len += b;
      } while (b === 255);
    }
    if (len > 0) {
      if (len > iend - ip) return decodeFail(`literal run of ${len} bytes overruns the block`, ip);
      if (len > oend - op) return decodeFail('decompressed block exceeds the maximum block size', ip);
      if (len <= WORD_COPY_MAX && ip + len <= srcSafe && op + len <= dstSafe) {
        // 4-byte word copy; may write up to 3 bytes past the run, which later output overwrites
        for (let k = 0; k < len; k += 4) dv.setInt32(op + k, sv.getInt32(ip + k, true), true);
      } else if (len <= WORD_COPY_MAX) {
        for (let k = 0; k < len; k++) dst[op + k] = src[ip + k];
      } else {
        dst.set(src.subarray(ip, ip + len), op);
      }
      ip += len;
      op += len;
    }
    if (ip === iend) return op; // the last sequence has literals only

    // match
    if (iend - ip < 2) return decodeFail('truncated match offset in block', ip);
    const offset = src[ip] | (src[ip + 1] << 8);
    if (offset === 0) return decodeFail('invalid match offset 0', ip);
    let m = op - offset;
    if (m < wstart) return decodeFail(`match offset ${offset} reaches before the start of the window`, ip);
    ip += 2;
    len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (ip >= iend) return decodeFail('truncated match length in block', ip);
        b = src[ip++];
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    if (len > oend - op) return decodeFail('decompressed block exceeds the maximum block size', ip);

    if (offset >= 4 && len <= WORD_COPY_MAX && op + len <= dstSafe) {
      // words never read bytes this loop has yet to write when offset >= 4
      for (let k = 0; k < len; k += 4) dv.setInt32(op + k, dv.getInt32(m + k, true), true);
      op += len;
    } else if (len < 32) {
      // byte loop also gives the repeating-pattern semantics of overlapping matches
      for (const e = op + len; op < e;) dst[op++] = dst[m++];
    } else if (offset >= len) {
      dst.copyWithin(op, m, m + len);
      op += len;
    } else {
      // overlapping: the source period doubles with every copy, so few copyWithin calls suffice
      const e = op + len;
      while (op < e) {
        const n = Math.min(e - op, op - m);
        dst.copyWithin(op, m, m + n);
        op += n;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Frame decoder

const S_MAGIC = 0;
const S_SKIP_SIZE = 1;
const S_SKIP_DATA = 2;
const S_FLG_BD = 3;
const S_DESC_REST = 4;
const S_BLOCK_SIZE = 5;
const S_BLOCK_DATA = 6;
const S_CONTENT_CHECKSUM = 7;
const S_LEGACY_SIZE = 8;
const S_LEGACY_DATA = 9;

const STATE_NAMES = [
  'frame magic',
  'skippable frame size',
  'skippable frame data',
  'frame descriptor',
  'frame descriptor',
  'block size',
  'block data',
  'content checksum',
  'legacy block size',
  'legacy block data',
];

function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Streaming decoder: push compressed chunks, get decompressed chunks via the callback. */
export class Lz4FrameDecoder {
  private readonly onData: (chunk: Buffer) => void;
  private state = S_MAGIC;
  /** bytes the current state needs, delivered contiguously to step() */
  private need = 4;
  /** holds a structure that straddles push() calls; grows to at most one block */
  private stage: Buffer = Buffer.allocUnsafe(32);
  private stageLen = 0;
  private total = 0;
  private failed: Lz4Error | null = null;
  private skipLeft = 0;

  // current frame
  private readonly desc = new Uint8Array(15);
  private blockMax = 0;
  private linked = false;
  private blockChecksum = false;
  private contentChecksum = false;
  private hasContentSize = false;
  private contentSize = 0;
  private produced = 0;
  private readonly hasher = new Xxh32();
  private curBlockSize = 0;
  private curBlockRaw = false;

  /** output buffer; for linked frames its first HISTORY bytes hold the window */
  private win: Buffer | null = null;
  private histLen = 0;

  /**
   * `lend`: onData receives views of the decoder's own buffer, valid until the callback returns
   * (for a consumer that copies what it keeps, like ScapReader.feed): no copy per block.
   */
  constructor(
    onData: (chunk: Buffer) => void,
    private readonly lend = false,
  ) {
    this.onData = onData;
  }

  /** compressed bytes consumed so far (for error offsets) */
  get consumed(): number {
    return this.total;
  }

  /** feed compressed bytes; calls onData zero or more times; throws Lz4Error on corrupt input */
  push(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    try {
      this.run(asBuffer(chunk));
    } catch (e) {
      // a failed decoder stays failed: its state is undefined after an error
      this.failed =
        e instanceof Lz4Error ? e : new Lz4Error('decoding aborted by an error in the data callback', this.total);
      throw e;
    }
  }

  /** end of input: throws Lz4Error if the stream stopped inside a frame (truncated) */
  end(): void {
    if (this.failed) throw this.failed;
    const clean = this.stageLen === 0 && (this.state === S_MAGIC || this.state === S_LEGACY_SIZE);
    if (!clean) {
      this.failed = new Lz4Error(`truncated input: stream ends while reading ${STATE_NAMES[this.state]}`, this.total);
      throw this.failed;
    }
  }

  /** Hands out decoded bytes; they live in a reused buffer, so the callback gets a copy unless lent. */
  protected emit(buf: Buffer, start: number, end: number): void {
    this.onData(this.lend ? buf.subarray(start, end) : Buffer.from(buf.subarray(start, end)));
  }

  private run(chunk: Buffer): void {
    const len = chunk.length;
    const base = this.total; // stream offset of chunk[0]
    let pos = 0;
    while (pos < len) {
      if (this.state === S_SKIP_DATA) {
        const n = Math.min(this.skipLeft, len - pos);
        pos += n;
        this.skipLeft -= n;
        this.total = base + pos;
        if (this.skipLeft === 0) this.expect(S_MAGIC, 4);
        continue;
      }
      const need = this.need;
      let buf: Buffer;
      let off: number;
      if (this.stageLen === 0 && len - pos >= need) {
        // common case: the whole structure is in this chunk, decode it in place
        buf = chunk;
        off = pos;
        pos += need;
      } else {
        if (this.stage.length < need) {
          // `need` is validated against the frame's block maximum before it is set
          const grown = Buffer.allocUnsafe(need);
          this.stage.copy(grown, 0, 0, this.stageLen);
          this.stage = grown;
        }
        const n = Math.min(need - this.stageLen, len - pos);
        chunk.copy(this.stage, this.stageLen, pos, pos + n);
        this.stageLen += n;
        pos += n;
        if (this.stageLen < need) break;
        buf = this.stage;
        off = 0;
        this.stageLen = 0;
      }
      this.total = base + pos;
      this.step(buf, off, this.total - need);
    }
    this.total = base + len;
  }

  private expect(state: number, need: number): void {
    this.state = state;
    this.need = need;
  }

  /** Handles one complete structure buf[off, off + need) that starts at stream offset `at`. */
  private step(buf: Buffer, off: number, at: number): void {
    switch (this.state) {
      case S_MAGIC:
        return this.onMagic(rd32(buf, off) >>> 0, at);

      case S_SKIP_SIZE:
        this.skipLeft = rd32(buf, off) >>> 0;
        if (this.skipLeft === 0) this.expect(S_MAGIC, 4);
        else this.expect(S_SKIP_DATA, 0);
        return;

      case S_FLG_BD:
        return this.onFlgBd(buf[off], buf[off + 1], at);

      case S_DESC_REST:
        return this.onDescRest(buf, off, at);

      case S_BLOCK_SIZE: {
        const word = rd32(buf, off) >>> 0;
        if (word === 0) return this.onEndMark(at);
        const size = word & 0x7fffffff;
        if (size > this.blockMax) {
          throw new Lz4Error(`block size ${size} exceeds the frame's maximum block size ${this.blockMax}`, at);
        }
        this.curBlockSize = size;
        this.curBlockRaw = word >>> 31 === 1;
        return this.expect(S_BLOCK_DATA, size + (this.blockChecksum ? 4 : 0));
      }

      case S_BLOCK_DATA:
        return this.onBlock(buf, off, at);

      case S_CONTENT_CHECKSUM: {
        const stored = rd32(buf, off) >>> 0;
        const actual = this.hasher.digest();
        if (stored !== actual) {
          throw new Lz4Error(`content checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`, at);
        }
        return this.expect(S_MAGIC, 4);
      }

      case S_LEGACY_SIZE: {
        const size = rd32(buf, off) >>> 0;
        // like the lz4 CLI: a "size" too large to be a legacy block is the magic of the next frame
        if (size > LEGACY_MAX_COMPRESSED) return this.onMagic(size, at);
        this.curBlockSize = size;
        return this.expect(S_LEGACY_DATA, size);
      }

      case S_LEGACY_DATA: {
        const out = this.output(LEGACY_BLOCK);
        const end = decodeBlock(buf, off, off + this.curBlockSize, out, 0, LEGACY_BLOCK, 0);
        if (end < 0) throw new Lz4Error(decodeErrMsg, at + (decodeErrPos - off));
        if (end > 0) this.emit(out, 0, end);
        return this.expect(S_LEGACY_SIZE, 4);
      }
    }
  }

  private onMagic(magic: number, at: number): void {
    if (magic === FRAME_MAGIC) return this.expect(S_FLG_BD, 2);
    if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) return this.expect(S_SKIP_SIZE, 4);
    if (magic === LEGACY_MAGIC) return this.expect(S_LEGACY_SIZE, 4);
    throw new Lz4Error(`bad magic number ${hex32(magic)} (not an LZ4 frame)`, at);
  }

  private onFlgBd(flg: number, bd: number, at: number): void {
    if (flg >>> 6 !== 1) throw new Lz4Error(`unsupported frame version ${flg >>> 6} in FLG byte`, at);
    if (flg & 0x02) throw new Lz4Error('reserved bit set in FLG byte', at);
    if (bd & 0x8f) throw new Lz4Error('reserved bits set in BD byte', at + 1);
    const code = (bd >>> 4) & 7;
    if (code < 4) throw new Lz4Error(`invalid block maximum size code ${code} in BD byte`, at + 1);
    this.desc[0] = flg;
    this.desc[1] = bd;
    // content size (8), dictionary id (4), header checksum (1)
    this.expect(S_DESC_REST, (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1);
  }

  private onDescRest(buf: Buffer, off: number, at: number): void {
    const n = this.need - 1; // descriptor bytes after FLG/BD, excluding the checksum byte
    const desc = this.desc;
    desc.set(buf.subarray(off, off + n), 2);
    const stored = buf[off + n];
    const expected = (xxh32(desc, 0, 2 + n) >>> 8) & 0xff;
    if (stored !== expected) {
      throw new Lz4Error(
        `frame header checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${expected.toString(16)})`,
        at + n,
      );
    }
    const flg = desc[0];
    this.linked = (flg & 0x20) === 0;
    this.blockChecksum = (flg & 0x10) !== 0;
    this.hasContentSize = (flg & 0x08) !== 0;
    this.contentChecksum = (flg & 0x04) !== 0;
    this.blockMax = 1 << (2 * ((desc[1] >>> 4) & 7) + 8);
    if (this.hasContentSize) {
      this.contentSize = (rd32(desc, 2) >>> 0) + (rd32(desc, 6) >>> 0) * 4294967296;
    }
    if (flg & 0x01) {
      const id = rd32(desc, this.hasContentSize ? 10 : 2);
      throw new Lz4Error(`frame needs dictionary ${hex32(id)}, dictionaries are not supported`, at + n - 4);
    }
    this.produced = 0;
    this.histLen = 0;
    this.hasher.reset();
    this.output((this.linked ? HISTORY : 0) + this.blockMax);
    this.expect(S_BLOCK_SIZE, 4);
  }

  /** Output buffer of at least `size` bytes; only (re)allocated at a frame start, when no history is live. */
  private output(size: number): Buffer {
    if (this.win === null || this.win.length < size) this.win = Buffer.allocUnsafe(size);
    return this.win;
  }

  private onBlock(buf: Buffer, off: number, at: number): void {
    const size = this.curBlockSize;
    if (this.blockChecksum) {
      const stored = rd32(buf, off + size) >>> 0;
      const actual = xxh32(buf, off, off + size);
      if (stored !== actual) {
        throw new Lz4Error(`block checksum mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`, at + size);
      }
    }
    const start = this.linked ? HISTORY : 0;
    const out = this.win!;
    let end: number;
    if (this.curBlockRaw) {
      buf.copy(out, start, off, off + size);
      end = start + size;
    } else {
      end = decodeBlock(buf, off, off + size, out, start, start + this.blockMax, start - this.histLen);
      if (end < 0) throw new Lz4Error(decodeErrMsg, at + (decodeErrPos - off));
    }
    const n = end - start;
    this.produced += n;
    if (this.hasContentSize && this.produced > this.contentSize) {
      throw new Lz4Error(`frame holds more data than its declared content size ${this.contentSize}`, at);
    }
    if (this.contentChecksum) this.hasher.update(out, start, end);
    if (n > 0) this.emit(out, start, end);
    if (this.linked) {
      const keep = Math.min(HISTORY, this.histLen + n);
      out.copyWithin(HISTORY - keep, end - keep, end);
      this.histLen = keep;
    }
    this.expect(S_BLOCK_SIZE, 4);
  }

  private onEndMark(at: number): void {
    if (this.hasContentSize && this.produced !== this.contentSize) {
      throw new Lz4Error(
        `frame content size mismatch (header declares ${this.contentSize} bytes, frame holds ${this.produced})`,
        at,
      );
    }
    if (this.contentChecksum) this.expect(S_CONTENT_CHECKSUM, 4);
    else this.expect(S_MAGIC, 4);
  }
}

// ---------------------------------------------------------------------------------------------
// Block compressor

// One hash table shared by all encoders: compressing a block is synchronous, and stale entries
// are recognised by position (see hashBase), so the table never needs clearing between blocks.
const hashTable = new Int32Array(1 << HASH_LOG);
/** table value of the first position of the next block; everything below it is stale */
let hashBase = 1;

/** Hash of the 5 bytes at p: finds more useful matches than 4 bytes on binary traces (ratio 4.73 -> 4.98 on scap data). */
function hash5(dv: DataView, src: Uint8Array, p: number): number {
  return (Math.imul(dv.getInt32(p, true), P1) ^ Math.imul(src[p + 4], P2)) >>> HASH_SHIFT;
}

function writeLength(dst: Uint8Array, op: number, n: number): number {
  for (; n >= 255; n -= 255) dst[op++] = 255;
  dst[op++] = n;
  return op;
}

function copyLiterals(
  src: Uint8Array,
  sv: DataView,
  s: number,
  e: number,
  dst: Uint8Array,
  dv: DataView,
  op: number,
): void {
  const len = e - s;
  if (len <= WORD_COPY_MAX && e + 4 <= src.length && op + len + 4 <= dst.length) {
    // 4-byte words; the overshoot lands in dst bytes that are written next anyway
    for (let k = 0; k < len; k += 4) dv.setInt32(op + k, sv.getInt32(s + k, true), true);
  } else if (len <= WORD_COPY_MAX) {
    for (let k = 0; k < len; k++) dst[op + k] = src[s + k];
  } else {
    dst.set(src.subarray(s, e), op);
  }
}

/**
 * Compresses src[sStart, sEnd) as an independent LZ4 block into dst at dStart
 * (dst needs compressBound(sEnd - sStart) bytes). Returns the output end.
 */
function compressBlock(src: Uint8Array, sStart: number, sEnd: number, dst: Uint8Array, dStart: number): number {
  const n = sEnd - sStart;
  if (hashBase > 0x40000000) {
    hashTable.fill(0);
    hashBase = 1;
  }
  const table = hashTable;
  // table holds pos - shift; an entry maps back to a position below sStart iff it is stale
  const shift = sStart - hashBase;
  hashBase += n + 1;

  const dv = view(src);
  const ov = view(dst);
  let op = dStart;
  let anchor = sStart;

  if (n > MFLIMIT) {
    const mflimitPlusOne = sEnd - MFLIMIT + 1;
    const matchLimit = sEnd - LAST_LITERALS;
    let ip = sStart;
    table[hash5(dv, src, ip)] = ip - shift;
    ip++;
    let forwardH = hash5(dv, src, ip);

    search: for (;;) {
      // find a match, probing faster the longer nothing is found
      let ref: number;
      let forward = ip;
      let step = 1;
      let attempts = 1 << SKIP_TRIGGER;
      do {
        const h = forwardH;
        ip = forward;
        forward += step;
        step = attempts++ >> SKIP_TRIGGER;
        if (forward > mflimitPlusOne) break search;
        ref = table[h] + shift;
        forwardH = hash5(dv, src, forward);
        table[h] = ip - shift;
      } while (ref < sStart || ref + MAX_DISTANCE < ip || dv.getInt32(ref, true) !== dv.getInt32(ip, true));

      // extend backwards over equal bytes still in the pending literals
      while (ip > anchor && ref > sStart && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }

      const litLen = ip - anchor;
      let token = op++;
      if (litLen >= 15) {
        dst[token] = 0xf0;
        op = writeLength(dst, op, litLen - 15);
      } else {
        dst[token] = litLen << 4;
      }
      copyLiterals(src, dv, anchor, ip, dst, ov, op);
      op += litLen;

      for (;;) {
        const distance = ip - ref;
        dst[op++] = distance;
        dst[op++] = distance >>> 8;

        let mp = ip + MIN_MATCH;
        let rp = ref + MIN_MATCH;
        while (mp + 4 <= matchLimit && dv.getInt32(mp, true) === dv.getInt32(rp, true)) {
          mp += 4;
          rp += 4;
        }
        while (mp < matchLimit && src[mp] === src[rp]) {
          mp++;
          rp++;
        }
        const ml = mp - ip - MIN_MATCH;
        ip = mp;
        if (ml >= 15) {
          dst[token] += 15;
          op = writeLength(dst, op, ml - 15);
        } else {
          dst[token] += ml;
        }
        anchor = ip;
        if (ip >= mflimitPlusOne) break search;

        table[hash5(dv, src, ip - 2)] = ip - 2 - shift;

        // a match right at the end of the previous one needs no literals
        const h = hash5(dv, src, ip);
        ref = table[h] + shift;
        table[h] = ip - shift;
        if (ref >= sStart && ref + MAX_DISTANCE >= ip && dv.getInt32(ref, true) === dv.getInt32(ip, true)) {
          token = op++;
          dst[token] = 0;
          continue;
        }
        forwardH = hash5(dv, src, ++ip);
        break;
      }
    }
  }

  // last literals
  const lastRun = sEnd - anchor;
  if (lastRun >= 15) {
    dst[op++] = 0xf0;
    op = writeLength(dst, op, lastRun - 15);
  } else {
    dst[op++] = lastRun << 4;
  }
  copyLiterals(src, dv, anchor, sEnd, dst, ov, op);
  return op + lastRun;
}

// ---------------------------------------------------------------------------------------------
// Frame encoder

/**
 * liblz4's block compressor from the native addon, when loaded (live capture): same block
 * format, several times faster than compressBlock. Returns the compressed size, or 0 when the
 * block would not shrink.
 */
type NativeBlockCompressor = (src: Buffer, start: number, end: number, dst: Buffer, dstStart: number) => number;
let nativeBlock: NativeBlockCompressor | null = null;

/** Encoders compress blocks with `fn` from now on (null: back to the JS compressor). */
export function useNativeLz4(fn: NativeBlockCompressor | null): void {
  nativeBlock = fn;
}

export interface Lz4FrameEncoderOptions {
  /** maximum uncompressed bytes per block (default 64 KiB) */
  blockSize?: 65536 | 262144 | 1048576 | 4194304;
  /** append an xxHash32 of the whole content (default true, like the lz4 CLI) */
  contentChecksum?: boolean;
  /** append an xxHash32 to every block (default false) */
  blockChecksum?: boolean;
}

const BLOCK_SIZE_CODES: Record<number, number> = { 65536: 4, 262144: 5, 1048576: 6, 4194304: 7 };
const EMPTY = Buffer.alloc(0);

/** Streaming encoder: returns frame bytes; independent blocks, optional xxHash32 checksums. */
export class Lz4FrameEncoder {
  private readonly blockSize: number;
  private readonly blockChecksum: boolean;
  private readonly hasher: Xxh32 | null;
  private readonly header: Buffer;
  /** compressed block being assembled: 4-byte size, data, optional checksum */
  private readonly scratch: Buffer;
  private pending: Buffer | null = null;
  private pendingLen = 0;
  private started = false;
  private ended = false;

  constructor(opts: Lz4FrameEncoderOptions = {}) {
    const blockSize = opts.blockSize ?? 65536;
    const code = BLOCK_SIZE_CODES[blockSize];
    if (code === undefined) throw new RangeError(`lz4: unsupported block size ${blockSize}`);
    this.blockSize = blockSize;
    this.blockChecksum = opts.blockChecksum ?? false;
    const contentChecksum = opts.contentChecksum ?? true;
    this.hasher = contentChecksum ? new Xxh32() : null;
    this.scratch = Buffer.allocUnsafe(4 + compressBound(blockSize) + 4);

    const h = Buffer.alloc(7);
    wr32(h, 0, FRAME_MAGIC);
    h[4] = 0x40 | 0x20 | (this.blockChecksum ? 0x10 : 0) | (contentChecksum ? 0x04 : 0); // v01, independent blocks
    h[5] = code << 4;
    h[6] = (xxh32(h, 4, 6) >>> 8) & 0xff;
    this.header = h;
  }

  /** returns the compressed bytes produced so far (frame header on first call); may return an empty buffer */
  push(chunk: Buffer): Buffer {
    const parts: Buffer[] = [];
    this.write(asBuffer(chunk), parts);
    return join(parts);
  }

  /** flush the pending block and write the end mark (+ content checksum) */
  end(): Buffer {
    const parts: Buffer[] = [];
    this.finish(parts);
    return join(parts);
  }

  /** Appends the frame bytes for `chunk` to `parts`. */
  private write(chunk: Buffer, parts: Buffer[]): void {
    if (this.ended) throw new Error('lz4: push() after end()');
    if (!this.started) {
      this.started = true;
      parts.push(this.header);
    }
    const len = chunk.length;
    if (this.hasher) this.hasher.update(chunk, 0, len);
    const bs = this.blockSize;
    let pos = 0;
    if (this.pendingLen > 0) {
      pos = Math.min(bs - this.pendingLen, len);
      chunk.copy(this.pending!, this.pendingLen, 0, pos);
      this.pendingLen += pos;
      if (this.pendingLen === bs) {
        parts.push(this.block(this.pending!, 0, bs));
        this.pendingLen = 0;
      }
    }
    // whole blocks straight from the caller's buffer
    for (; len - pos >= bs; pos += bs) parts.push(this.block(chunk, pos, pos + bs));
    if (pos < len) {
      if (this.pending === null) this.pending = Buffer.allocUnsafe(bs);
      chunk.copy(this.pending, 0, pos, len);
      this.pendingLen = len - pos;
    }
  }

  /** Appends the last block, end mark and checksum to `parts`; later calls add nothing. */
  private finish(parts: Buffer[]): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.started) {
      this.started = true;
      parts.push(this.header);
    }
    if (this.pendingLen > 0) parts.push(this.block(this.pending!, 0, this.pendingLen));
    this.pending = null;
    const tail = Buffer.alloc(this.hasher ? 8 : 4); // end mark is a zero block size
    if (this.hasher) wr32(tail, 4, this.hasher.digest());
    parts.push(tail);
  }

  /** One framed block (size word, data, checksum) for src[s, e). */
  private block(src: Buffer, s: number, e: number): Buffer {
    const out = this.scratch;
    const n = e - s;
    let size: number;
    if (nativeBlock !== null) {
      size = nativeBlock(src, s, e, out, 4);
      if (size === 0) size = n; // not smaller: stored
    } else {
      size = compressBlock(src, s, e, out, 4) - 4;
    }
    if (size >= n) {
      // incompressible: store as-is, flagged by the high bit of the size word
      src.copy(out, 4, s, e);
      size = n;
      wr32(out, 0, (n | 0x80000000) >>> 0);
    } else {
      wr32(out, 0, size);
    }
    let total = 4 + size;
    if (this.blockChecksum) {
      wr32(out, total, xxh32(out, 4, total));
      total += 4;
    }
    return Buffer.from(out.subarray(0, total));
  }
}

function join(parts: Buffer[]): Buffer {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0];
  return Buffer.concat(parts);
}

/** Accepts any Uint8Array without copying, so callers passing plain typed arrays still work. */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Compresses `data` into one complete LZ4 frame. */
export function lz4CompressFrame(data: Buffer, opts?: Lz4FrameEncoderOptions): Buffer {
  const enc = new Lz4FrameEncoder(opts);
  const body = enc.push(data);
  return Buffer.concat([body, enc.end()]);
}

const SEGMENT = 1 << 20;

/** One-shot decoding packs output into large segments instead of one copy per block. */
class CollectingDecoder extends Lz4FrameDecoder {
  readonly segments: Buffer[] = [];
  private seg: Buffer = EMPTY;
  private segLen = 0;

  constructor() {
    super(() => {});
  }

  protected override emit(buf: Buffer, start: number, end: number): void {
    while (start < end) {
      if (this.segLen === this.seg.length) {
        this.seg = Buffer.allocUnsafe(SEGMENT);
        this.segLen = 0;
        this.segments.push(this.seg);
      }
      const n = Math.min(end - start, SEGMENT - this.segLen);
      buf.copy(this.seg, this.segLen, start, start + n);
      this.segLen += n;
      start += n;
    }
  }

  result(): Buffer {
    const segs = this.segments;
    if (segs.length === 0) return EMPTY;
    segs[segs.length - 1] = this.seg.subarray(0, this.segLen);
    return segs.length === 1 ? Buffer.from(segs[0]) : Buffer.concat(segs);
  }
}

/** Decompresses a complete LZ4 stream (one or more frames). */
export function lz4DecompressFrame(data: Buffer): Buffer {
  const dec = new CollectingDecoder();
  dec.push(data);
  dec.end();
  return dec.result();
}
