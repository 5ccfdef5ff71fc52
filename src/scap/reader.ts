/**
 * Push parser for scap streams: feed it decompressed chunks, it calls the handler once per
 * section (with its metadata) and once per event (with a reused EventView). Memory stays
 * bounded: only an incomplete trailing block is carried between chunks.
 */
import * as B from './blocks';
import { Cursor } from './cursor';
import { parseFdList, parseInterfaceList, parseMachineInfo, parseProcList, parseUserList } from './metadata-blocks';
import type { SectionMetadata } from './metadata';
import { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { code } from '../event/codes';
import { TraceFormatError } from '../util/errors';

export interface TraceHandler {
  /** A section's metadata is complete (its first event follows, or the stream ended). */
  onSection(meta: SectionMetadata): void;
  /** One event; return false to stop reading. */
  onEvent(ev: EventView): boolean | void;
}

/** Largest block we accept: event blocks are ≤ 64 KiB unless LARGE; metadata can be big. */
const MAX_BLOCK = 256 * 1024 * 1024;
const MAX_EVENT_BLOCK = 65536 + 8;
const MAX_LARGE_EVENT_BLOCK = 64 * 1024 * 1024;

const PPME_NOTIFICATION_E = code('PPME_NOTIFICATION_E');
const PPME_INFRASTRUCTURE_EVENT_E = code('PPME_INFRASTRUCTURE_EVENT_E');

export interface ReaderStats {
  events: number;
  sections: number;
  /** events whose code is not in our table: skipped like libscap does, but counted */
  unknownEvents: number;
  firstUnknownCode: number;
  firstUnknownOffset: number;
  skippedBlocks: number;
}

export class ScapReader {
  readonly view = new EventView();
  readonly stats: ReaderStats = {
    events: 0,
    sections: 0,
    unknownEvents: 0,
    firstUnknownCode: -1,
    firstUnknownOffset: -1,
    skippedBlocks: 0,
  };
  stopped = false;
  private pending: Buffer | null = null;
  /** chunks received after `pending` while its block is still incomplete, and their size */
  private waiting: Buffer[] = [];
  private waitingLen = 0;
  /** size of the block `pending` starts (8 while its header is incomplete) */
  private need = 0;
  /** absolute offset of the first byte of `pending` (or of the next chunk) */
  private base = 0;
  private phase: 0 | 1 | 2 = 0; // 0 expect SHB, 1 metadata, 2 events
  private meta: SectionMetadata | null = null;

  constructor(private readonly handler: TraceHandler) {}

  /** Bytes consumed so far (offset of the next block). */
  get offset(): number {
    return this.base;
  }

  feed(chunk: Buffer): void {
    if (this.stopped) return;
    let start = 0;
    if (this.pending !== null && this.pending.length > 0) {
      const have = this.pending.length + this.waitingLen;
      if (have + chunk.length < this.need) {
        // The block in progress is still incomplete: keep the chunk and join everything once,
        // when the block is whole (joining at every chunk is quadratic in the block size).
        this.waiting.push(Buffer.from(chunk));
        this.waitingLen += chunk.length;
        return;
      }
      const parts = this.waiting;
      parts.unshift(this.pending);
      this.waiting = [];
      this.waitingLen = 0;
      this.pending = null;
      if (this.need > 8 || have >= 8) {
        // Complete the pending block with the head of the chunk and consume it alone, then go
        // on inside the chunk itself: joining the whole chunk would copy every byte once more.
        const take = this.need - have;
        parts.push(chunk.subarray(0, take));
        const head = Buffer.concat(parts);
        if (this.blocks(head, 0) < 0) return;
        this.base += head.length - take; // base + p stays the absolute offset inside chunk
        start = take;
      } else {
        // (a block header cut in two: rare, join once)
        parts.push(chunk);
        chunk = Buffer.concat(parts);
      }
    }
    const p = this.blocks(chunk, start);
    // (kept out of the hot loop's function: code it reaches only once per chunk would make
    // the optimized loop deoptimize at every chunk end for lack of type feedback)
    if (p >= 0) this.keepTail(chunk, p);
  }

  private keepTail(data: Buffer, p: number): void {
    this.base += p;
    if (p < data.length) {
      this.pending = Buffer.from(data.subarray(p));
      // bytes the incomplete block needs: its (already validated) total, or a block header
      this.need = data.length - p >= 8 ? data.readUInt32LE(p + 4) : 8;
    }
  }

  /** Consumes the complete blocks of data; returns where the incomplete tail starts, -1 if stopped. */
  private blocks(data: Buffer, start: number): number {
    let p = start;
    const n = data.length;
    const view = this.view;
    const handler = this.handler;
    const stats = this.stats;
    const nev = EVENTS.length;
    // Hot loop: byte reads are inlined (Buffer.readUInt32LE validates its argument each call).
    while (p + 8 <= n) {
      const type = (data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24)) >>> 0;
      const total = (data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24)) >>> 0;
      let kind = B.eventBlockKind(type);
      if (kind !== 0 && this.phase === 1) {
        // First event block of the section: its metadata is complete.
        this.phase = 2;
        handler.onSection(this.meta!);
      } else if (this.phase !== 2) {
        kind = 0;
      }
      if (kind !== 0) {
        // Hot path: event block.
        const max = (kind & 4) !== 0 ? MAX_LARGE_EVENT_BLOCK : MAX_EVENT_BLOCK;
        if (total < 12 + 24 || total > max) {
          throw new TraceFormatError(`impossible event block length ${total}`, this.base + p);
        }
        if (p + total > n) break;
        let q = p + 8;
        const cpu = data[q] | (data[q + 1] << 8);
        q += 2;
        let flags = 0;
        if ((kind & 1) !== 0) {
          flags = (data[q] | (data[q + 1] << 8) | (data[q + 2] << 16) | (data[q + 3] << 24)) >>> 0;
          q += 4;
        }
        const bodyEnd = p + total - 4;
        const v2 = (kind & 2) !== 0;
        const hdr = v2 ? 26 : 22;
        if (q + hdr > bodyEnd) throw new TraceFormatError('event header does not fit its block', this.base + p);
        let len = (data[q + 16] | (data[q + 17] << 8) | (data[q + 18] << 16) | (data[q + 19] << 24)) >>> 0;
        const etype = data[q + 20] | (data[q + 21] << 8);
        if (len < hdr || q + len > bodyEnd) {
          throw new TraceFormatError(`event length ${len} does not fit its block`, this.base + p);
        }
        const info = etype < nev ? EVENTS[etype] : null;
        if (info === null) {
          if (stats.unknownEvents++ === 0) {
            stats.firstUnknownCode = etype;
            stats.firstUnknownOffset = this.base + p;
          }
          p += total;
          continue;
        }
        let nparams: number;
        if (v2) {
          nparams = (data[q + 22] | (data[q + 23] << 8) | (data[q + 24] << 16) | (data[q + 25] << 24)) >>> 0;
          const lw = info.large ? 4 : 2;
          if (nparams > 1024 || hdr + nparams * lw > len) {
            throw new TraceFormatError(`event parameter count ${nparams} does not fit the event`, this.base + p);
          }
        } else {
          if (etype === PPME_NOTIFICATION_E || etype === PPME_INFRASTRUCTURE_EVENT_E) len -= 3;
          nparams = guessV1Params(data, q, len, info.params.length);
          if (nparams < 0)
            throw new TraceFormatError('corrupt v1 event: parameter lengths do not add up', this.base + p);
        }
        view.setHot(data, q, q + hdr, len, etype, info, nparams, !v2);
        view.cpu = cpu;
        view.dumpFlags = flags;
        view.tsLo = (data[q] | (data[q + 1] << 8) | (data[q + 2] << 16) | (data[q + 3] << 24)) >>> 0;
        view.tsHi = (data[q + 4] | (data[q + 5] << 8) | (data[q + 6] << 16) | (data[q + 7] << 24)) >>> 0;
        view.tid =
          (data[q + 12] | (data[q + 13] << 8) | (data[q + 14] << 16) | (data[q + 15] << 24)) * 4294967296 +
          ((data[q + 8] | (data[q + 9] << 8) | (data[q + 10] << 16) | (data[q + 11] << 24)) >>> 0);
        view.num = ++stats.events;
        view.blockOffset = this.base + p;
        p += total;
        if (handler.onEvent(view) === false) {
          this.stopped = true;
          this.base += p;
          return -1;
        }
        continue;
      }
      // Any other block: framing checks, then dispatch.
      if (this.phase === 0 && type !== B.SHB) {
        throw new TraceFormatError(
          `not a scap file: first block has type 0x${type.toString(16)}, expected a section header block`,
          this.base + p,
        );
      }
      if (total < 12 || total > MAX_BLOCK || ((total & 3) !== 0 && type !== B.SHB)) {
        throw new TraceFormatError(
          `impossible block length ${total} for block type 0x${type.toString(16)}`,
          this.base + p,
        );
      }
      if (p + total > n) break;
      this.metadataBlock(data, p, type, total);
      p += total;
    }
    return p;
  }

  /** End of input: reports a block cut short, and a section with metadata but no events. */
  finish(): void {
    if (this.stopped) return;
    const rest = this.pending === null ? 0 : this.pending.length;
    if (rest > 0) {
      let where = 'inside a block header';
      if (rest >= 8) {
        const type = this.pending!.readUInt32LE(0);
        where =
          this.phase === 2 && B.eventBlockKind(type) !== 0
            ? 'inside an event block'
            : type === B.SHB
              ? 'inside a section header block'
              : 'inside a metadata block';
      }
      throw new TraceFormatError(`truncated ${where}`, this.base, `truncated at byte ${this.base} ${where}`);
    }
    if (this.phase === 0) throw new TraceFormatError('empty file: no section header block', 0);
    if (this.phase === 1 && this.meta) {
      this.handler.onSection(this.meta);
      this.phase = 2;
    }
  }

  private metadataBlock(data: Buffer, p: number, type: number, total: number): void {
    const abs = this.base + p;
    if (type === B.SHB) {
      this.sectionHeader(data, p, total);
      return;
    }
    if (this.phase === 0) {
      throw new TraceFormatError(
        `not a scap file: first block has type 0x${type.toString(16)}, expected a section header block`,
        abs,
      );
    }
    if (this.phase === 2) {
      // libscap would fail here; we keep going and skip the stray block.
      this.stats.skippedBlocks++;
      return;
    }
    const trailer = data.readUInt32LE(p + total - 4);
    if (trailer !== total)
      throw new TraceFormatError(`wrong block total length (header ${total}, trailer ${trailer})`, abs);
    const c = new Cursor(data, p + 8, p + total - 4, this.base, 'block');
    const meta = this.meta!;
    const plv = B.procListVersion(type);
    if (plv) {
      (c as { what: string }).what = 'process list';
      for (const e of parseProcList(c, plv)) meta.procs.push(e);
      return;
    }
    switch (type) {
      case B.MI:
      case B.MI_INT:
        meta.machine = parseMachineInfo(c);
        return;
      case B.FDL_V1:
      case B.FDL_V1_INT:
      case B.FDL_V2: {
        const { tid, fds } = parseFdList(c, type === B.FDL_V2);
        const cur = meta.fds.get(tid);
        if (cur) cur.push(...fds);
        else meta.fds.set(tid, fds);
        return;
      }
      case B.IL_V1:
      case B.IL_V1_INT:
      case B.IL_V2:
        meta.interfaces = parseInterfaceList(c, type === B.IL_V2);
        return;
      case B.UL_V1:
      case B.UL_V1_INT:
      case B.UL_V2: {
        const { users, groups } = parseUserList(c, type === B.UL_V2);
        meta.users = users;
        meta.groups = groups;
        return;
      }
      default:
        this.stats.skippedBlocks++; // unknown metadata block: skipped, as libscap does
    }
  }

  private sectionHeader(data: Buffer, p: number, total: number): void {
    const abs = this.base + p;
    if (total < 28) throw new TraceFormatError(`section header block too short (${total} bytes)`, abs);
    const magic = data.readUInt32LE(p + 8);
    if (magic !== B.BYTE_ORDER_MAGIC) {
      if (magic === 0x4d3c2b1a) throw new TraceFormatError('big-endian scap files are not supported', abs + 8);
      throw new TraceFormatError(
        `not a scap file: bad byte-order magic 0x${magic.toString(16).padStart(8, '0')}`,
        abs + 8,
      );
    }
    const major = data.readUInt16LE(p + 12);
    const minor = data.readUInt16LE(p + 14);
    if (major !== 1) throw new TraceFormatError(`unsupported scap version ${major}.${minor}`, abs + 12);
    // pcapng options after the 16-byte body are skipped (libs >= 0.21 writes them).
    const trailer = data.readUInt32LE(p + total - 4);
    if (trailer !== total)
      throw new TraceFormatError(`wrong section header length (header ${total}, trailer ${trailer})`, abs);
    this.phase = 1;
    this.stats.sections++;
    this.meta = {
      major,
      minor,
      machine: null,
      procs: [],
      fds: new Map(),
      users: [],
      groups: [],
      interfaces: [],
    };
  }
}

/** libscap's v1 conversion: the largest nparams ≤ the table's whose lengths sum exactly to len. */
function guessV1Params(data: Buffer, q: number, len: number, tableParams: number): number {
  const end = q + len;
  const lens = q + 22;
  for (let np = tableParams; np >= 0; np--) {
    let v = lens + np * 2;
    if (v > end) continue;
    for (let i = 0; i < np; i++) {
      const o = lens + i * 2;
      v += data[o] | (data[o + 1] << 8);
    }
    if (v < end) return -1;
    if (v === end) return np;
  }
  return -1;
}
