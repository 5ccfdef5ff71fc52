/**
 * Trace mutators: from a real capture (decompressed) to a damaged one, deterministically from
 * an Rng. Byte-level damage (bit flips, insert/delete, truncation), framing damage (block total,
 * event len, nparams, parameter lengths, string and entry lengths inside PL/FDL/UL/IL), block
 * order damage (shuffle, duplicate, drop, splice from another capture), semantic damage that
 * keeps the framing valid so the state parsers and renderers see hostile parameters, and
 * compression framing damage (gzip, LZ4 frames with correct header checksums but lying sizes).
 */
import * as zlib from 'node:zlib';
import { Rng } from './prng';
import { ScapLayout, BlockLayout, encodeEventBlock } from './scap-layout';
import { lz4CompressFrame } from '../src/codec/lz4';
import { xxh32 } from './xxh32';
import { EVENTS } from '../src/event/generated/events';
import * as B from '../src/scap/blocks';

export interface Seed {
  name: string;
  raw: Buffer;
  layout: ScapLayout;
}

export interface Mutated {
  data: Buffer;
  ops: string[];
  wrap: 'none' | 'gzip' | 'lz4';
}

type Op = (rng: Rng, buf: Buffer, seed: Seed, others: Seed[], ops: string[]) => Buffer;

const KNOWN_CODES: number[] = EVENTS.filter((e) => e !== null).map((e) => e.code);

function eventBlocks(l: ScapLayout): BlockLayout[] {
  return l.blocks.filter((b) => b.ev !== null);
}
function metaBlocks(l: ScapLayout): BlockLayout[] {
  return l.blocks.filter((b) => b.kind === 0);
}

/** The layout describes the seed, so structure-aware ops run first on the pristine bytes. */
const opBitFlip: Op = (rng, buf, _s, _o, ops) => {
  if (buf.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = 1 + rng.smallInt(15);
  for (let i = 0; i < n; i++) {
    const p = rng.int(out.length);
    out[p] ^= 1 << rng.int(8);
  }
  ops.push(`bitflip x${n}`);
  return out;
};

const opByteSet: Op = (rng, buf, _s, _o, ops) => {
  if (buf.length < 4) return buf;
  const out = Buffer.from(buf);
  const p = rng.int(out.length - 3);
  const v = rng.interestingU32();
  if (rng.bool()) out.writeUInt32LE(v >>> 0, p);
  else out.writeUInt16LE(v & 0xffff, p);
  ops.push(`set@${p}=${v}`);
  return out;
};

const opInsert: Op = (rng, buf, _s, _o, ops) => {
  const p = rng.int(buf.length + 1);
  const n = 1 + rng.smallInt(200);
  const ins = rng.bool(0.3) ? Buffer.alloc(n, rng.pick([0, 0xff, 0x41])) : rng.bytes(n);
  ops.push(`insert@${p}+${n}`);
  return Buffer.concat([buf.subarray(0, p), ins, buf.subarray(p)]);
};

const opDelete: Op = (rng, buf, _s, _o, ops) => {
  if (buf.length === 0) return buf;
  const p = rng.int(buf.length);
  const n = 1 + rng.smallInt(Math.min(4096, buf.length - p));
  ops.push(`delete@${p}-${n}`);
  return Buffer.concat([buf.subarray(0, p), buf.subarray(p + n)]);
};

const opTruncate: Op = (rng, buf, seed, _o, ops) => {
  let p: number;
  const bl = seed.layout.blocks;
  if (rng.bool(0.5) && bl.length > 0) {
    const b = rng.pick(bl);
    p = Math.max(0, Math.min(buf.length, b.off + rng.range(-8, 40)));
  } else {
    p = rng.int(buf.length + 1);
  }
  ops.push(`truncate@${p}`);
  return buf.subarray(0, p);
};

const opBlockTotal: Op = (rng, buf, seed, _o, ops) => {
  const bl = seed.layout.blocks;
  if (bl.length === 0) return buf;
  const b = rng.pick(bl);
  const out = Buffer.from(buf);
  const v = rng.bool(0.5) ? rng.interestingU32() : (b.total + rng.pick([-12, -8, -4, -1, 1, 4, 8, 64, 65536])) >>> 0;
  const trailer = rng.bool(0.5);
  if (b.off + 8 <= out.length) out.writeUInt32LE(v >>> 0, b.off + 4);
  if (trailer && b.off + b.total <= out.length) out.writeUInt32LE(v >>> 0, b.off + b.total - 4);
  ops.push(`block-total@${b.off}=${v}${trailer ? '+trailer' : ''}`);
  return out;
};

const opEventLen: Op = (rng, buf, seed, _o, ops) => {
  const evs = eventBlocks(seed.layout);
  if (evs.length === 0) return buf;
  const b = rng.pick(evs);
  const ev = b.ev!;
  const out = Buffer.from(buf);
  const v = rng.bool(0.5) ? rng.interestingU32() : (ev.len + rng.range(-30, 30)) >>> 0;
  out.writeUInt32LE(v >>> 0, ev.hdr + 16);
  ops.push(`event-len@${b.off}=${v}`);
  return out;
};

const opNparams: Op = (rng, buf, seed, _o, ops) => {
  const evs = eventBlocks(seed.layout).filter((b) => b.ev!.v2);
  if (evs.length === 0) return buf;
  const b = rng.pick(evs);
  const out = Buffer.from(buf);
  const v = rng.bool(0.5) ? rng.interestingU32() : (b.ev!.nparams + rng.range(-3, 3)) >>> 0;
  out.writeUInt32LE(v >>> 0, b.ev!.hdr + 22);
  ops.push(`nparams@${b.off}=${v}`);
  return out;
};

const opParamLen: Op = (rng, buf, seed, _o, ops) => {
  const evs = eventBlocks(seed.layout).filter((b) => b.ev!.nparams > 0);
  if (evs.length === 0) return buf;
  const b = rng.pick(evs);
  const ev = b.ev!;
  const out = Buffer.from(buf);
  const i = rng.int(ev.nparams);
  if (ev.large) {
    const v = rng.interestingU32();
    out.writeUInt32LE(v >>> 0, ev.lens + i * 4);
    ops.push(`param-len@${b.off}#${i}=${v}`);
  } else {
    const v = rng.bool(0.5) ? rng.interestingU16() : (ev.params[i].length + rng.range(-4, 4)) & 0xffff;
    out.writeUInt16LE(v, ev.lens + i * 2);
    ops.push(`param-len@${b.off}#${i}=${v}`);
  }
  return out;
};

const opMetaLen: Op = (rng, buf, seed, _o, ops) => {
  const fields = metaBlocks(seed.layout).flatMap((b) => b.lenFields);
  if (fields.length === 0) return buf;
  const f = rng.pick(fields);
  const out = Buffer.from(buf);
  if (f.off + f.width > out.length) return buf;
  if (f.width === 2) {
    const cur = out.readUInt16LE(f.off);
    const v = rng.bool(0.6) ? rng.interestingU16() : (cur + rng.range(-6, 6)) & 0xffff;
    out.writeUInt16LE(v, f.off);
    ops.push(`${f.what}@${f.off}=${v}`);
  } else {
    const cur = out.readUInt32LE(f.off);
    const v = rng.bool(0.6) ? rng.interestingU32() : (cur + rng.range(-6, 6)) >>> 0;
    out.writeUInt32LE(v >>> 0, f.off);
    ops.push(`${f.what}@${f.off}=${v}`);
  }
  return out;
};

/** Splits the file into its blocks (plus an opaque tail) for block-order damage. */
function blocksOf(buf: Buffer, seed: Seed): Buffer[] {
  const parts = seed.layout.blocks.map((b) => buf.subarray(b.off, b.off + b.total));
  const last = seed.layout.blocks[seed.layout.blocks.length - 1];
  if (last && last.off + last.total < buf.length) parts.push(buf.subarray(last.off + last.total));
  return parts;
}

const opShuffle: Op = (rng, buf, seed, _o, ops) => {
  const parts = blocksOf(buf, seed);
  if (parts.length < 3) return buf;
  const mode = rng.int(3);
  if (mode === 0) {
    // swap two blocks
    const i = rng.int(parts.length),
      j = rng.int(parts.length);
    [parts[i], parts[j]] = [parts[j], parts[i]];
    ops.push(`swap-blocks ${i}<->${j}`);
  } else if (mode === 1) {
    // shuffle a window
    const i = rng.int(parts.length - 1);
    const n = Math.min(parts.length - i, 2 + rng.smallInt(30));
    for (let k = n - 1; k > 0; k--) {
      const r = rng.int(k + 1);
      [parts[i + k], parts[i + r]] = [parts[i + r], parts[i + k]];
    }
    ops.push(`shuffle-blocks ${i}+${n}`);
  } else {
    // move a metadata block after the events (or the first event before the metadata)
    const metas = seed.layout.blocks.map((b, k) => [b, k] as const).filter(([b]) => b.kind === 0 && b.type !== B.SHB);
    if (metas.length === 0) return buf;
    const [, k] = rng.pick(metas);
    const [blk] = parts.splice(k, 1);
    const to = rng.int(parts.length + 1);
    parts.splice(to, 0, blk);
    ops.push(`move-block ${k}->${to}`);
  }
  return Buffer.concat(parts);
};

const opDuplicate: Op = (rng, buf, seed, _o, ops) => {
  const parts = blocksOf(buf, seed);
  if (parts.length === 0) return buf;
  const i = rng.int(parts.length);
  const times = 1 + rng.smallInt(20);
  const at = rng.bool(0.5) ? i : rng.int(parts.length + 1);
  parts.splice(at, 0, ...new Array<Buffer>(times).fill(parts[i]));
  ops.push(`dup-block ${i}x${times}@${at}`);
  return Buffer.concat(parts);
};

const opDrop: Op = (rng, buf, seed, _o, ops) => {
  const parts = blocksOf(buf, seed);
  if (parts.length < 2) return buf;
  const i = rng.int(parts.length);
  const n = 1 + rng.smallInt(Math.min(10, parts.length - i - 1));
  parts.splice(i, n);
  ops.push(`drop-blocks ${i}+${n}`);
  return Buffer.concat(parts);
};

const opSplice: Op = (rng, buf, seed, others, ops) => {
  if (others.length === 0) return buf;
  const o = rng.pick(others);
  if (o.layout.blocks.length === 0) return buf;
  const parts = blocksOf(buf, seed);
  const src = rng.pick(o.layout.blocks);
  const blk = o.raw.subarray(src.off, src.off + src.total);
  const at = rng.int(parts.length + 1);
  parts.splice(at, 0, blk);
  ops.push(`splice ${o.name}@${src.off}->${at}`);
  return Buffer.concat(parts);
};

/** Hostile parameter values that keep the framing valid. */
function hostileParam(rng: Rng, cur: Buffer, ptype: number): Buffer {
  switch (rng.int(9)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return rng.bytes(cur.length);
    case 2:
      return cur.subarray(0, rng.int(cur.length + 1));
    case 3:
      return Buffer.concat([cur, rng.bytes(1 + rng.smallInt(300))]);
    case 4: {
      // every byte 0xff: -1 fds and pids, huge sizes, invalid UTF-8
      return Buffer.alloc(cur.length || rng.pick([1, 2, 4, 8]), 0xff);
    }
    case 5: {
      // strings without their NUL, or full of NULs, or long
      const n = rng.pick([1, 2, 255, 1024, 4096, 16384]);
      return rng.bool() ? Buffer.alloc(n, 0x41) : Buffer.alloc(n, 0);
    }
    case 6: {
      // sockaddr / socktuple with an arbitrary family byte
      const b = Buffer.from(cur.length > 0 ? cur : rng.bytes(1 + rng.int(40)));
      b[0] = rng.pick([0, 1, 2, 10, 16, 17, 255, rng.int(256)]);
      return b.subarray(0, rng.bool(0.5) ? b.length : rng.int(b.length + 1));
    }
    case 7: {
      // fdlist: count u16 then entries
      const n = rng.interestingU16();
      const b = Buffer.alloc(2 + rng.smallInt(60));
      b.writeUInt16LE(n, 0);
      return b;
    }
    default: {
      // numeric extremes at the same width
      const b = Buffer.from(cur);
      if (b.length >= 8)
        b.writeBigUInt64LE(rng.pick([0n, 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn]), 0);
      else if (b.length >= 4) b.writeUInt32LE(rng.interestingU32() >>> 0, 0);
      else if (b.length >= 2) b.writeUInt16LE(rng.interestingU16(), 0);
      else if (b.length === 1) b[0] = rng.int(256);
      void ptype;
      return b;
    }
  }
}

/** Re-encodes one event with hostile content and consistent lengths (reaches the parsers). */
const opSemantic: Op = (rng, buf, seed, _o, ops) => {
  const evs = eventBlocks(seed.layout);
  if (evs.length === 0) return buf;
  const n = 1 + rng.smallInt(8);
  const repl = new Map<number, Buffer>();
  for (let k = 0; k < n; k++) {
    const b = rng.pick(evs);
    const ev = b.ev!;
    let etype = ev.etype;
    let params = ev.params.slice();
    const tsb = Buffer.from(buf.subarray(ev.hdr, ev.hdr + 8));
    const tidb = Buffer.from(buf.subarray(ev.hdr + 8, ev.hdr + 16));
    const what: string[] = [];
    const m = rng.int(7);
    if (m === 0) {
      etype = rng.bool(0.8) ? rng.pick(KNOWN_CODES) : rng.int(0x10000);
      what.push(`type=${etype}`);
    } else if (m === 1 && params.length > 0) {
      const i = rng.int(params.length);
      const info = EVENTS[etype];
      params[i] = hostileParam(rng, params[i], info && info.params[i] ? info.params[i].type : 0);
      what.push(`param#${i}`);
    } else if (m === 2) {
      if (rng.bool() && params.length > 0) {
        params.splice(rng.int(params.length), 1);
        what.push('drop-param');
      } else {
        params.splice(rng.int(params.length + 1), 0, rng.bytes(rng.smallInt(64)));
        what.push('add-param');
      }
    } else if (m === 3) {
      tidb.writeBigInt64LE(
        rng.pick([0n, -1n, 1n, 0x7fffffffffffffffn, -0x8000000000000000n, BigInt(rng.int(70000))]),
        0,
      );
      what.push('tid');
    } else if (m === 4) {
      tsb.writeBigUInt64LE(
        rng.pick([0n, 1n, 0xffffffffffffffffn, 0x7fffffffffffffffn, BigInt(rng.u32()) * 1000000n]),
        0,
      );
      what.push('ts');
    } else if (m === 5) {
      // every parameter hostile
      const info = EVENTS[etype];
      params = params.map((p, i) => hostileParam(rng, p, info && info.params[i] ? info.params[i].type : 0));
      what.push('all-params');
    } else {
      // the parameters of another event type under this type
      const other = rng.pick(evs).ev!;
      params = other.params.slice();
      what.push(`params-of-${other.etype}`);
    }
    const info = EVENTS[etype];
    const large = info !== null && info !== undefined && info.large;
    if (!ev.v2 || !large) params = params.map((p) => (p.length > 0xffff ? p.subarray(0, 0xffff) : p));
    const cpu = buf.readUInt16LE(b.off + 8);
    const flags = (b.kind & 1) !== 0 ? buf.readUInt32LE(b.off + 10) : 0;
    repl.set(b.off, encodeEventBlock(b.kind, cpu, flags, tsb, tidb, etype, params, large));
    ops.push(`semantic@${b.off}:${what.join(',')}`);
  }
  const parts: Buffer[] = [];
  let p = 0;
  for (const b of seed.layout.blocks) {
    const r = repl.get(b.off);
    if (r === undefined) continue;
    parts.push(buf.subarray(p, b.off), r);
    p = b.off + b.total;
  }
  parts.push(buf.subarray(p));
  return Buffer.concat(parts);
};

/** Metadata strings: same lengths, hostile bytes (no NUL, 0xff, '..', very long via neighbours). */
const opMetaString: Op = (rng, buf, seed, _o, ops) => {
  const fields = metaBlocks(seed.layout)
    .flatMap((b) => b.lenFields)
    .filter((f) => f.width === 2);
  if (fields.length === 0) return buf;
  const out = Buffer.from(buf);
  const n = 1 + rng.smallInt(10);
  for (let k = 0; k < n; k++) {
    const f = rng.pick(fields);
    if (f.off + 2 > out.length) continue;
    const len = out.readUInt16LE(f.off);
    const s = f.off + 2;
    const e = Math.min(out.length, s + len);
    const fill = rng.pick([0x00, 0xff, 0x2f, 0x2e, 0x80, -1]);
    for (let i = s; i < e; i++) out[i] = fill < 0 ? rng.int(256) : fill;
    ops.push(`${f.what}-bytes@${f.off}=${fill}`);
  }
  return out;
};

const STRUCTURE_OPS: Array<[Op, number]> = [
  [opBlockTotal, 3],
  [opEventLen, 3],
  [opNparams, 2],
  [opParamLen, 4],
  [opMetaLen, 4],
  [opShuffle, 2],
  [opDuplicate, 2],
  [opDrop, 1],
  [opSplice, 2],
  [opSemantic, 8],
  [opMetaString, 2],
];
const BYTE_OPS: Array<[Op, number]> = [
  [opBitFlip, 4],
  [opByteSet, 3],
  [opInsert, 2],
  [opDelete, 2],
  [opTruncate, 2],
];

/** Applies 1..4 mutations: at most one structure-aware op first (it needs the pristine layout). */
export function mutateRaw(rng: Rng, seed: Seed, others: Seed[]): { data: Buffer; ops: string[] } {
  const ops: string[] = [];
  let buf = seed.raw;
  const structural = rng.bool(0.75);
  if (structural) {
    const i = rng.weighted(STRUCTURE_OPS.map((x) => x[1]));
    buf = STRUCTURE_OPS[i][0](rng, buf, seed, others, ops);
    // a second structural op, re-mapped lazily by using the seed layout only when sizes match
    if (rng.bool(0.25) && buf.length === seed.raw.length) {
      const j = rng.weighted(STRUCTURE_OPS.map((x) => x[1]));
      buf = STRUCTURE_OPS[j][0](rng, buf, seed, others, ops);
    }
  }
  const nb = structural ? (rng.bool(0.6) ? 0 : 1) : 1 + rng.smallInt(3);
  for (let k = 0; k < nb; k++) {
    const i = rng.weighted(BYTE_OPS.map((x) => x[1]));
    buf = BYTE_OPS[i][0](rng, buf, seed, others, ops);
  }
  if (ops.length === 0) ops.push('none');
  return { data: buf, ops };
}

// ---- compression framing -------------------------------------------------------------------

function gzipDamage(rng: Rng, raw: Buffer, ops: string[]): Buffer {
  let gz: Buffer = zlib.gzipSync(raw, { level: 1 });
  switch (rng.int(9)) {
    case 0:
      return gz;
    case 1: {
      // header: flags, method, extra/name fields claiming more than there is
      gz = Buffer.from(gz);
      const p = rng.int(10);
      gz[p] = rng.int(256);
      ops.push(`gzip-header@${p}`);
      return gz;
    }
    case 2: {
      gz = Buffer.from(gz);
      const p = 10 + rng.int(Math.max(1, gz.length - 18));
      gz[p] ^= 1 << rng.int(8);
      ops.push(`gzip-body-flip@${p}`);
      return gz;
    }
    case 3: {
      gz = Buffer.from(gz);
      const p = gz.length - 1 - rng.int(8);
      gz[p] ^= 0xff;
      ops.push(`gzip-trailer@${p}`);
      return gz;
    }
    case 4: {
      const n = rng.int(gz.length);
      ops.push(`gzip-truncate@${n}`);
      return gz.subarray(0, n);
    }
    case 5: {
      ops.push('gzip-trailing-garbage');
      return Buffer.concat([gz, rng.bytes(1 + rng.smallInt(100))]);
    }
    case 6: {
      // several members, one of them damaged or empty
      const cut = rng.int(raw.length + 1);
      const a = zlib.gzipSync(raw.subarray(0, cut));
      const b = zlib.gzipSync(raw.subarray(cut));
      const mid = rng.bool() ? zlib.gzipSync(Buffer.alloc(0)) : Buffer.alloc(0);
      ops.push(`gzip-members@${cut}`);
      return Buffer.concat([a, mid, b]);
    }
    case 7: {
      // FEXTRA / FNAME set with no terminator
      gz = Buffer.from(gz);
      gz[3] |= rng.pick([0x04, 0x08, 0x10, 0x02]);
      ops.push(`gzip-flag=${gz[3]}`);
      return gz;
    }
    default: {
      // a decompression bomb that expands to garbage: a long run of one byte after the data
      const bomb = Buffer.concat([
        raw.subarray(0, rng.int(raw.length + 1)),
        Buffer.alloc(rng.pick([1 << 16, 1 << 20, 8 << 20]), rng.pick([0, 0xff])),
      ]);
      ops.push(`gzip-bomb ${bomb.length}`);
      return zlib.gzipSync(bomb, { level: 1 });
    }
  }
}

/** An LZ4 frame header with a correct checksum, whatever flags it claims. */
function lz4Header(flg: number, bd: number, contentSize: bigint | null): Buffer {
  const h = Buffer.alloc(4 + 2 + (contentSize !== null ? 8 : 0) + 1);
  h.writeUInt32LE(0x184d2204, 0);
  h[4] = flg | (contentSize !== null ? 0x08 : 0);
  h[5] = bd;
  if (contentSize !== null) h.writeBigUInt64LE(contentSize, 6);
  h[h.length - 1] = (xxh32(h, 4, h.length - 1) >>> 8) & 0xff;
  return h;
}

/** Splits our encoder's frame into header, blocks (with size words) and end mark. */
function lz4Blocks(frame: Buffer): { blocks: Buffer[]; bd: number } {
  const flg = frame[4];
  const bd = frame[5];
  let p = 7 + (flg & 0x08 ? 8 : 0);
  const blocks: Buffer[] = [];
  while (p + 4 <= frame.length) {
    const w = frame.readUInt32LE(p);
    if (w === 0) break;
    const n = w & 0x7fffffff;
    blocks.push(frame.subarray(p, p + 4 + n + (flg & 0x10 ? 4 : 0)));
    p += 4 + n + (flg & 0x10 ? 4 : 0);
  }
  return { blocks, bd };
}

function lz4Damage(rng: Rng, raw: Buffer, ops: string[]): Buffer {
  const blockSize = rng.pick([65536, 262144] as const);
  const frame = lz4CompressFrame(raw, { blockSize, contentChecksum: rng.bool(0.7), blockChecksum: rng.bool(0.2) });
  switch (rng.int(12)) {
    case 0:
      return frame;
    case 1: {
      const f = Buffer.from(frame);
      const p = rng.int(f.length);
      f[p] ^= 1 << rng.int(8);
      ops.push(`lz4-flip@${p}`);
      return f;
    }
    case 2: {
      const n = rng.int(frame.length);
      ops.push(`lz4-truncate@${n}`);
      return frame.subarray(0, n);
    }
    case 3:
    case 4: {
      // valid header checksum, lying flags: linked blocks, content size, block checksums, BD
      const { blocks, bd } = lz4Blocks(frame);
      const flg = 0x40 | (rng.bool() ? 0x20 : 0) | (rng.bool(0.2) ? 0x10 : 0) | (rng.bool(0.3) ? 0x04 : 0);
      const bd2 = rng.bool(0.7) ? bd : rng.range(4, 7) << 4;
      const cs = rng.bool(0.3)
        ? rng.pick([0n, 1n, BigInt(raw.length), BigInt(raw.length) + 1n, 0xffffffffffffffffn])
        : null;
      ops.push(`lz4-header flg=${flg.toString(16)} bd=${bd2.toString(16)} cs=${cs}`);
      return Buffer.concat([lz4Header(flg, bd2, cs), ...blocks, Buffer.alloc(4)]);
    }
    case 5: {
      // a block size word that lies (bigger than the data, bigger than the maximum, raw bit flipped)
      const { blocks, bd } = lz4Blocks(frame);
      if (blocks.length === 0) return frame;
      const i = rng.int(blocks.length);
      const b = Buffer.from(blocks[i]);
      const w = b.readUInt32LE(0);
      const v =
        rng.pick([w ^ 0x80000000, (w & 0x7fffffff) + rng.range(1, 100), rng.interestingU32(), 0x7fffffff, 1]) >>> 0;
      b.writeUInt32LE(v, 0);
      blocks[i] = b;
      ops.push(`lz4-blocksize#${i}=${v}`);
      return Buffer.concat([lz4Header(0x60, bd, null), ...blocks, Buffer.alloc(4)]);
    }
    case 6: {
      // compressed block contents damaged (no checksums to catch it: the decoder must)
      const { blocks, bd } = lz4Blocks(frame);
      if (blocks.length === 0) return frame;
      const i = rng.int(blocks.length);
      const b = Buffer.from(blocks[i]);
      const n = 1 + rng.smallInt(20);
      for (let k = 0; k < n; k++) {
        const p = 4 + rng.int(Math.max(1, b.length - 4));
        if (p < b.length) b[p] = rng.bool() ? rng.int(256) : b[p] ^ (1 << rng.int(8));
      }
      blocks[i] = b;
      ops.push(`lz4-block-bytes#${i}x${n}`);
      return Buffer.concat([lz4Header(rng.bool() ? 0x60 : 0x40, bd, null), ...blocks, Buffer.alloc(4)]);
    }
    case 7: {
      // hand-made hostile compressed block: offsets before the start, huge literal runs
      const body = Buffer.alloc(16 + rng.smallInt(64));
      for (let k = 0; k < body.length; k++) body[k] = rng.pick([0xff, 0xf0, 0x0f, 0x00, rng.int(256)]);
      const blk = Buffer.alloc(4 + body.length);
      blk.writeUInt32LE(body.length, 0);
      body.copy(blk, 4);
      ops.push(`lz4-hostile-block ${body.length}`);
      return Buffer.concat([lz4Header(rng.bool() ? 0x60 : 0x40, 0x40, null), blk, Buffer.alloc(4)]);
    }
    case 8: {
      // skippable frames: huge declared sizes, before or after the data
      const sk = Buffer.alloc(8);
      sk.writeUInt32LE(0x184d2a50 + rng.int(16), 0);
      sk.writeUInt32LE(rng.interestingU32() >>> 0, 4);
      ops.push(`lz4-skippable ${sk.readUInt32LE(4)}`);
      return rng.bool() ? Buffer.concat([sk, frame]) : Buffer.concat([frame, sk, rng.bytes(rng.smallInt(64))]);
    }
    case 9: {
      // legacy frame with a lying block size
      const lg = Buffer.alloc(8);
      lg.writeUInt32LE(0x184c2102, 0);
      lg.writeUInt32LE(rng.interestingU32() >>> 0, 4);
      ops.push(`lz4-legacy ${lg.readUInt32LE(4)}`);
      return Buffer.concat([frame.subarray(0, 0), lg, rng.bytes(rng.smallInt(200))]);
    }
    case 10: {
      ops.push('lz4-trailing-garbage');
      return Buffer.concat([frame, rng.bytes(1 + rng.smallInt(16))]);
    }
    default: {
      // two frames, cut at a random point of the data
      const cut = rng.int(raw.length + 1);
      ops.push(`lz4-two-frames@${cut}`);
      return Buffer.concat([lz4CompressFrame(raw.subarray(0, cut)), lz4CompressFrame(raw.subarray(cut))]);
    }
  }
}

/** Chooses the container (raw 60%, gzip 20%, LZ4 20%), damaging its framing at times. */
export function wrap(rng: Rng, raw: Buffer, ops: string[]): Mutated {
  const w = rng.weighted([6, 2, 2]);
  if (w === 0) return { data: raw, ops, wrap: 'none' };
  if (w === 1) return { data: gzipDamage(rng, raw, ops), ops, wrap: 'gzip' };
  return { data: lz4Damage(rng, raw, ops), ops, wrap: 'lz4' };
}
