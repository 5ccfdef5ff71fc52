/**
 * Just enough protobuf (proto3 wire format) for the few containerd messages we use: varints,
 * length-delimited fields (strings, bytes, sub-messages, map entries), skipping of everything
 * else. Encoding writes fields in the order given; decoding collects fields by number.
 */

export const WT_VARINT = 0;
export const WT_I64 = 1;
export const WT_LEN = 2;
export const WT_I32 = 5;

/** A decoded message: field number → values in wire order (numbers as bigint-safe numbers). */
export type Fields = Map<number, (number | Buffer)[]>;

export class ProtoError extends Error {}

function readVarint(b: Buffer, p: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= b.length) throw new ProtoError('truncated varint');
    const c = b[p++];
    v += (c & 0x7f) * mul;
    if ((c & 0x80) === 0) return [v, p];
    mul *= 128;
  }
  throw new ProtoError('varint too long');
}

/** Decodes one message level (sub-messages stay Buffers). */
export function decode(b: Buffer): Fields {
  const out: Fields = new Map();
  let p = 0;
  while (p < b.length) {
    let key: number;
    [key, p] = readVarint(b, p);
    const field = Math.floor(key / 8);
    const wt = key & 7;
    let v: number | Buffer;
    switch (wt) {
      case WT_VARINT:
        [v, p] = readVarint(b, p);
        break;
      case WT_I64:
        if (p + 8 > b.length) throw new ProtoError('truncated fixed64');
        v = Number(b.readBigUInt64LE(p));
        p += 8;
        break;
      case WT_I32:
        if (p + 4 > b.length) throw new ProtoError('truncated fixed32');
        v = b.readUInt32LE(p);
        p += 4;
        break;
      case WT_LEN: {
        let n: number;
        [n, p] = readVarint(b, p);
        if (p + n > b.length) throw new ProtoError('truncated length-delimited field');
        v = b.subarray(p, p + n);
        p += n;
        break;
      }
      default:
        throw new ProtoError(`unsupported wire type ${wt}`);
    }
    if (field === 0) throw new ProtoError('field number 0');
    let list = out.get(field);
    if (list === undefined) {
      list = [];
      out.set(field, list);
    }
    list.push(v);
  }
  return out;
}

/** Reads helpers over a decoded message. */
export class Msg {
  readonly f: Fields;
  constructor(b: Buffer) {
    this.f = decode(b);
  }
  str(n: number): string {
    const v = this.f.get(n);
    const x = v?.[v.length - 1];
    return Buffer.isBuffer(x) ? x.toString('utf8') : '';
  }
  num(n: number): number {
    const v = this.f.get(n);
    const x = v?.[v.length - 1];
    return typeof x === 'number' ? x : 0;
  }
  bytes(n: number): Buffer | null {
    const v = this.f.get(n);
    const x = v?.[v.length - 1];
    return Buffer.isBuffer(x) ? x : null;
  }
  msg(n: number): Msg | null {
    const b = this.bytes(n);
    return b === null ? null : new Msg(b);
  }
  msgs(n: number): Msg[] {
    return (this.f.get(n) ?? []).filter((b) => Buffer.isBuffer(b)).map((b) => new Msg(b));
  }
  strs(n: number): string[] {
    return (this.f.get(n) ?? []).filter((b) => Buffer.isBuffer(b)).map((b) => b.toString('utf8'));
  }
  /** map<string,string> field */
  strMap(n: number): Record<string, string> {
    const o: Record<string, string> = {};
    for (const e of this.msgs(n)) o[e.str(1)] = e.str(2);
    return o;
  }
}

function varint(v: number): Buffer {
  const out: number[] = [];
  let x = v;
  while (x >= 128) {
    out.push((x % 128) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return Buffer.from(out);
}

/** Builds a message field by field. */
export class Enc {
  private readonly parts: Buffer[] = [];
  str(n: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    return this.bytes(n, Buffer.from(s, 'utf8'));
  }
  bytes(n: number, b: Buffer): this {
    this.parts.push(varint(n * 8 + WT_LEN), varint(b.length), b);
    return this;
  }
  msg(n: number, m: Enc): this {
    return this.bytes(n, m.finish());
  }
  uint(n: number, v: number): this {
    if (v === 0) return this;
    this.parts.push(varint(n * 8 + WT_VARINT), varint(v));
    return this;
  }
  bool(n: number, v: boolean): this {
    return this.uint(n, v ? 1 : 0);
  }
  strMap(n: number, m: Record<string, string>): this {
    for (const [k, v] of Object.entries(m)) this.msg(n, new Enc().str(1, k).str(2, v));
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
