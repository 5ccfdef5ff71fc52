/**
 * A forgiving map of a (valid, decompressed) scap file for structure-aware mutation: blocks,
 * the event inside each event block (header fields, parameter lengths, parameter bytes), and
 * the length fields inside metadata entries (PL/FDL/UL/IL). Only used on seeds, which are real
 * captures; it never throws on odd input, it just maps less.
 */
import * as B from '../src/scap/blocks';
import { EVENTS } from '../src/event/generated/events';

export interface LenField {
  /** absolute offset of the field in the file */
  off: number;
  /** 2 or 4 bytes */
  width: 2 | 4;
  what: string;
}

export interface EventLayout {
  /** offset of the event header (ts) */
  hdr: number;
  v2: boolean;
  large: boolean;
  etype: number;
  len: number;
  nparams: number;
  /** offset of the parameter-length array */
  lens: number;
  /** parameter bytes */
  params: Buffer[];
}

export interface BlockLayout {
  off: number;
  type: number;
  total: number;
  /** event blocks: the block kind (see blocks.eventBlockKind), 0 for metadata */
  kind: number;
  ev: EventLayout | null;
  /** length fields found inside metadata entries */
  lenFields: LenField[];
}

export interface ScapLayout {
  blocks: BlockLayout[];
  /** bytes after the last complete block */
  tail: number;
}

export function mapScap(buf: Buffer): ScapLayout {
  const blocks: BlockLayout[] = [];
  let p = 0;
  while (p + 12 <= buf.length) {
    const type = buf.readUInt32LE(p);
    const total = buf.readUInt32LE(p + 4);
    if (total < 12 || p + total > buf.length) break;
    const kind = B.eventBlockKind(type);
    const b: BlockLayout = { off: p, type, total, kind, ev: null, lenFields: [] };
    try {
      if (kind !== 0) b.ev = mapEvent(buf, p, total, kind);
      else mapMetadata(buf, b);
    } catch {
      // partial map is fine
    }
    blocks.push(b);
    p += total;
  }
  return { blocks, tail: buf.length - p };
}

function mapEvent(buf: Buffer, p: number, total: number, kind: number): EventLayout | null {
  let q = p + 8 + 2;
  if ((kind & 1) !== 0) q += 4;
  const v2 = (kind & 2) !== 0;
  const hdr = v2 ? 26 : 22;
  if (q + hdr > p + total - 4) return null;
  const len = buf.readUInt32LE(q + 16);
  const etype = buf.readUInt16LE(q + 20);
  const info = etype < EVENTS.length ? EVENTS[etype] : null;
  if (info === null) return null;
  const large = info.large;
  const lw = large ? 4 : 2;
  let nparams: number;
  if (v2) nparams = buf.readUInt32LE(q + 22);
  else {
    // v1: find the count whose lengths add up (like the reader)
    nparams = -1;
    for (let np = info.params.length; np >= 0; np--) {
      let v = q + 22 + np * 2;
      if (v > q + len) continue;
      for (let i = 0; i < np; i++) v += buf.readUInt16LE(q + 22 + i * 2);
      if (v === q + len) {
        nparams = np;
        break;
      }
    }
    if (nparams < 0) return null;
  }
  const lens = q + hdr;
  let d = lens + nparams * (v2 ? lw : 2);
  const params: Buffer[] = [];
  for (let i = 0; i < nparams; i++) {
    const l = v2 && large ? buf.readUInt32LE(lens + i * 4) : buf.readUInt16LE(lens + i * 2);
    if (d + l > q + len) return null;
    params.push(Buffer.from(buf.subarray(d, d + l)));
    d += l;
  }
  return { hdr: q, v2, large: v2 && large, etype, len, nparams, lens, params };
}

/** Collects the offsets of u16 string lengths and u32 entry lengths in metadata blocks. */
function mapMetadata(buf: Buffer, b: BlockLayout): void {
  const end = b.off + b.total - 4;
  let c = b.off + 8;
  const out = b.lenFields;
  const str16 = (what: string): void => {
    out.push({ off: c, width: 2, what });
    const n = buf.readUInt16LE(c);
    c += 2 + n;
  };
  const plv = B.procListVersion(b.type);
  if (plv) {
    while (c + 24 <= end) {
      const start = c;
      let entryLen = 0;
      if (plv === 9) {
        out.push({ off: c, width: 4, what: 'PL entry length' });
        entryLen = buf.readUInt32LE(c);
        c += 4;
      }
      c += 24;
      if (plv >= 6) c += 8;
      if (plv >= 8) c += 8;
      str16('PL comm');
      str16('PL exe');
      if (plv >= 7) str16('PL exepath');
      str16('PL args');
      str16('PL cwd');
      c += 8 + 12;
      if (plv >= 2) c += 12 + 16;
      if (plv >= 3) str16('PL env');
      if (plv >= 4) {
        c += 16;
        str16('PL cgroups');
      }
      if (plv >= 5) str16('PL root');
      if (entryLen) c = start + entryLen;
      else if (plv < 9) {
        // v1..v8 entries have no length: stop after the first (later ones are found by offset)
        if (c > end) return;
      }
      if (c <= start) return;
    }
    return;
  }
  switch (b.type) {
    case B.FDL_V1:
    case B.FDL_V1_INT:
    case B.FDL_V2: {
      const v2 = b.type === B.FDL_V2;
      c += 8; // tid
      while (c + 4 <= end) {
        const start = c;
        let entryEnd = end;
        if (v2) {
          out.push({ off: c, width: 4, what: 'FDL entry length' });
          entryEnd = start + buf.readUInt32LE(c);
          c += 4;
        }
        c += 16;
        const type = buf[c++];
        switch (type) {
          case 3:
            c += 13;
            break;
          case 5:
            c += 7;
            break;
          case 4:
            c += 37;
            break;
          case 6:
            c += 19;
            break;
          case 8:
            c += 16;
            str16('FDL unix name');
            break;
          case 16:
            c += 4;
            str16('FDL file name');
            if (v2 && entryEnd - c >= 4) c += 4;
            break;
          case 0:
            break;
          default:
            str16('FDL name');
        }
        if (v2) c = entryEnd;
        if (c <= start) return;
      }
      return;
    }
    case B.UL_V1:
    case B.UL_V1_INT:
    case B.UL_V2: {
      const v2 = b.type === B.UL_V2;
      while (c + 4 <= end) {
        const start = c;
        let entryEnd = -1;
        if (v2) {
          out.push({ off: c, width: 4, what: 'UL entry length' });
          entryEnd = start + buf.readUInt32LE(c);
          c += 4;
        }
        const t = buf[c++];
        if (t === 0) {
          c += 8;
          str16('UL user name');
          str16('UL homedir');
          str16('UL shell');
        } else if (t === 1) {
          c += 4;
          str16('UL group name');
        } else return;
        if (entryEnd >= 0) c = entryEnd;
        if (c <= start) return;
      }
      return;
    }
    case B.IL_V1:
    case B.IL_V1_INT:
    case B.IL_V2: {
      const v2 = b.type === B.IL_V2;
      while (c + 4 <= end) {
        const start = c;
        if (v2) {
          out.push({ off: c, width: 4, what: 'IL entry length' });
          c += 4;
        }
        const type = buf.readUInt16LE(c);
        out.push({ off: c + 2, width: 2, what: 'IL name length' });
        const namelen = buf.readUInt16LE(c + 2);
        c += 4;
        const fixed = type === 1 ? 20 : type === 2 ? 56 : type === 3 ? 12 : type === 4 ? 48 : -1;
        if (fixed < 0) return;
        c = v2 ? start + 4 + buf.readUInt32LE(start) : c + fixed + namelen;
        if (c <= start) return;
      }
      return;
    }
    default:
  }
}

/** Builds an event block (same block type as `kind`) from parts; lengths all consistent. */
export function encodeEventBlock(
  kind: number,
  cpu: number,
  flags: number,
  ts: Buffer,
  tid: Buffer,
  etype: number,
  params: Buffer[],
  large: boolean,
): Buffer {
  const v2 = (kind & 2) !== 0;
  const hdr = v2 ? 26 : 22;
  const lw = v2 && large ? 4 : 2;
  let dataLen = 0;
  for (const p of params) dataLen += p.length;
  const evLen = hdr + params.length * lw + dataLen;
  const pre = 8 + 2 + ((kind & 1) !== 0 ? 4 : 0);
  const total = (pre + evLen + 4 + 3) & ~3;
  const out = Buffer.alloc(total);
  let type: number;
  switch (kind) {
    case 8:
      type = B.EV_V1;
      break;
    case 9:
      type = B.EVF_V1;
      break;
    case 10:
      type = B.EV_V2;
      break;
    case 11:
      type = B.EVF_V2;
      break;
    case 14:
      type = B.EV_V2_LARGE;
      break;
    default:
      type = B.EVF_V2_LARGE;
      break;
  }
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  let q = 8;
  out.writeUInt16LE(cpu & 0xffff, q);
  q += 2;
  if ((kind & 1) !== 0) {
    out.writeUInt32LE(flags >>> 0, q);
    q += 4;
  }
  ts.copy(out, q, 0, 8);
  tid.copy(out, q + 8, 0, 8);
  out.writeUInt32LE(evLen, q + 16);
  out.writeUInt16LE(etype & 0xffff, q + 20);
  if (v2) out.writeUInt32LE(params.length, q + 22);
  let l = q + hdr;
  let d = l + params.length * lw;
  for (const p of params) {
    if (lw === 4) out.writeUInt32LE(p.length, l);
    else out.writeUInt16LE(Math.min(p.length, 0xffff), l);
    l += lw;
    p.copy(out, d);
    d += p.length;
  }
  out.writeUInt32LE(total, total - 4);
  return out;
}
