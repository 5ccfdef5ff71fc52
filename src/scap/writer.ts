/**
 * scap file writer, targeting what sysdig 0.29.3 (libs e5c53d64) reads best
 * (../shared/docs/scap-format.md, "Recipe for a writer"):
 *
 *   SHB 1.2 (28 bytes), MI (180-byte body), IL_V2, UL_V2, PL_V9 with the e5c53d64 tail
 *   (loginuid u32 + exe_writable u8), one FDL_V2 per process-list entry (fd types 1..16 only),
 *   then EV_V2 / EVF_V2 blocks (LARGE variants for large-payload events or blocks > 64 KiB).
 *
 * Metadata layouts follow libscap's writer (scap_savefile.c / scap_fds.c) so a section read by
 * ScapReader and written back is byte-identical to what sysdig 0.29.3 writes for the same
 * input (see test/writer.test.ts). Events from v1 blocks (22-byte header) are converted to the
 * v2 layout by inserting nparams, as libscap does when reading them.
 *
 * Hot path (writeEvent): the block is assembled directly in a reusable batch buffer; nothing is
 * allocated per event unless a single block is larger than the batch.
 */
import * as B from './blocks';
import type { TraceSink } from './compressed-sink';
import type {
  FdEntry,
  GroupEntry,
  InterfaceEntry,
  MachineInfo,
  ProcEntry,
  SectionMetadata,
  UserEntry,
} from './metadata';
import { FdType } from './metadata';
import type { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { copyBytes } from '../util/bytes';

/** scap_dump_flags */
export const DF_STATE_ONLY = 1;
export const DF_TRACER = 2;
/** internal only: selects the LARGE block type, never written */
export const DF_LARGE = 4;

const MAX_PATH = 1024;
const MAX_ARGS = 4096;
const MAX_FD_NAME = MAX_PATH - 1;
const MAX_CRED = 255;
const READER_BUF_SIZE = 65536;
const V1_HDR = 22;
const V2_HDR = 26;
const TWO32 = 4294967296;

export interface ScapWriterOptions {
  /** reusable batch buffer size (default 256 KiB) */
  batchSize?: number;
}

/** Growable little-endian byte builder for metadata blocks (not on the hot path). */
class Builder {
  buf: Buffer;
  pos = 0;
  constructor(size = 4096) {
    this.buf = Buffer.alloc(size);
  }
  private need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let sz = this.buf.length * 2;
    while (sz < this.pos + n) sz *= 2;
    const nb = Buffer.alloc(sz);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }
  u8(v: number): void {
    this.need(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.need(2);
    this.buf.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.need(4);
    this.buf.writeUInt32LE(u32(v), this.pos);
    this.pos += 4;
  }
  /** 64-bit two's complement of a Number (exact within ±2^53; -1 → ff..ff) */
  i64(v: number): void {
    this.need(8);
    writeI64(this.buf, this.pos, v);
    this.pos += 8;
  }
  big64(v: bigint): void {
    this.need(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }
  bytes(b: Buffer, max = b.length): void {
    const n = Math.min(b.length, max);
    this.need(n);
    b.copy(this.buf, this.pos, 0, n);
    this.pos += n;
  }
  /** raw latin1 bytes of s, at most max */
  raw(s: string, max: number): number {
    const n = Math.min(s.length, max);
    this.need(n);
    this.buf.write(n === s.length ? s : s.slice(0, n), this.pos, n, 'latin1');
    this.pos += n;
    return n;
  }
  /** u16 length + bytes (no NUL), truncated to max bytes */
  str16(s: string, max: number): void {
    const n = Math.min(s.length, max);
    this.u16(n);
    this.raw(s, n);
  }
  /** entries joined with NUL terminators, u16 length first, truncated to max bytes */
  list16(items: string[], max: number): void {
    let s = '';
    for (const it of items) s += it + '\0';
    this.str16(s, max);
  }
  zeros(n: number): void {
    this.need(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(u32(v), at);
  }
}

function u32(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return v >>> 0;
}

function writeI64(b: Buffer, at: number, v: number): void {
  if (!Number.isFinite(v)) v = 0;
  v = Math.trunc(v);
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  b.writeUInt32LE(lo >>> 0, at);
  b.writeUInt32LE(hi >>> 0, at + 4);
}

/** Starts a block: type + placeholder length. */
function beginBlock(w: Builder, type: number): number {
  const start = w.pos;
  w.u32(type);
  w.u32(0);
  return start;
}

/** Pads the body to 4 bytes, writes the trailer, patches the header length. */
function endBlock(w: Builder, start: number): void {
  const body = w.pos - start - 8;
  w.zeros((4 - (body & 3)) & 3);
  const total = w.pos - start + 4;
  w.u32(total);
  w.patchU32(start + 4, total);
}

/** fd types e5c53d64 can read (1..16); newer ones (bpf, userfaultfd, io_uring, memfd, pidfd) become UNSUPPORTED. */
export function fdTypeForE5(type: number): number {
  if (type >= 1 && type <= 16) return type;
  return 10;
}

export class ScapWriter {
  /** events written (all sections) */
  events = 0;
  sections = 0;
  /** events written in the current section (sysdig refuses a file with none) */
  sectionEvents = 0;
  private readonly batch: Buffer;
  private used = 0;
  private closed = false;

  constructor(
    private readonly sink: TraceSink,
    opts: ScapWriterOptions = {},
  ) {
    this.batch = Buffer.allocUnsafe(Math.max(opts.batchSize ?? 256 * 1024, 1024));
  }

  /** Uncompressed bytes produced so far (including what is still in the batch). */
  get offset(): number {
    return this.sink.bytesIn + this.used;
  }

  /**
   * Starts a section: SHB 1.2 then the metadata blocks. Empty lists are left out (they are
   * optional for readers); FD lists are written for process-list entries only (libscap fails
   * on an fd list for an unknown tid), in process-list order.
   */
  writeSection(meta: SectionMetadata): void {
    this.checkOpen();
    const w = new Builder(64 * 1024);
    // SHB
    let s = beginBlock(w, B.SHB);
    w.u32(B.BYTE_ORDER_MAGIC);
    w.u16(1);
    w.u16(2);
    w.u32(0xffffffff);
    w.u32(0xffffffff);
    endBlock(w, s);
    if (meta.machine !== null) writeMachineInfo(w, meta.machine);
    if (meta.interfaces.length > 0) writeInterfaces(w, meta.interfaces);
    if (meta.users.length > 0 || meta.groups.length > 0) writeUsers(w, meta.users, meta.groups);
    if (meta.procs.length > 0) {
      s = beginBlock(w, B.PL_V9);
      for (const p of meta.procs) writeProc(w, p);
      endBlock(w, s);
      const done = new Set<number>();
      for (const p of meta.procs) {
        if (done.has(p.tid)) continue;
        done.add(p.tid);
        writeFdList(w, p.tid, meta.fds.get(p.tid) ?? []);
      }
    }
    this.put(w.buf, w.pos);
    this.sections++;
    this.sectionEvents = 0;
  }

  /**
   * Writes the current event. dumpFlags: SCAP_DF_* (1 state-only, 2 tracer; 4 = force a LARGE
   * block, never stored). Flags ≠ 0 give an EVF block. Large-payload events (u32 parameter
   * lengths) always go in LARGE blocks, like sysdig; so does any block over 64 KiB.
   */
  writeEvent(ev: EventView, dumpFlags = 0): void {
    if (this.sections === 0 || this.closed) this.checkOpen(true);
    const src = ev.buf;
    const off = ev.off;
    const len = ev.len;
    const v1 = ev.v1;
    const evLen = v1 ? len + 4 : len;
    const flags = (dumpFlags & ~DF_LARGE) >>> 0;
    const fl = flags !== 0 ? 4 : 0;
    const body = 2 + fl + evLen;
    const total = 8 + body + ((4 - (body & 3)) & 3) + 4;
    const info = ev.info;
    const large = (dumpFlags & DF_LARGE) !== 0 || (info !== null && info.large) || total - 8 > READER_BUF_SIZE;
    const btype = large ? (fl ? B.EVF_V2_LARGE : B.EV_V2_LARGE) : fl ? B.EVF_V2 : B.EV_V2;

    let b = this.batch;
    if (this.used + total > b.length) {
      this.drain();
      if (total > b.length) b = Buffer.allocUnsafe(total);
    }
    let p = b === this.batch ? this.used : 0;
    const start = p;
    b.writeUInt32LE(btype, p);
    b.writeUInt32LE(total, p + 4);
    b.writeUInt16LE(ev.cpu & 0xffff, p + 8);
    p += 10;
    if (fl) {
      b.writeUInt32LE(flags, p);
      p += 4;
    }
    if (v1) {
      copyBytes(src, off, off + V1_HDR, b, p);
      b.writeUInt32LE(evLen, p + 16);
      b.writeUInt32LE(ev.nparams, p + V1_HDR);
      copyBytes(src, off + V1_HDR, off + len, b, p + V2_HDR);
    } else {
      copyBytes(src, off, off + len, b, p);
    }
    p += evLen;
    const end = start + total - 4;
    while (p < end) b[p++] = 0;
    b.writeUInt32LE(total, p);
    if (b === this.batch) this.used += total;
    else this.sink.write(b);
    this.events++;
    this.sectionEvents++;
  }

  /**
   * Writes an event given as raw v2 bytes (ppm_evt_hdr with nparams, then lengths and values),
   * e.g. a synthesized event. Large-payload types (u32 lengths) get a LARGE block.
   */
  writeEventBytes(event: Buffer, cpu: number, dumpFlags = 0): void {
    this.checkOpen(true);
    if (event.length < V2_HDR || event.readUInt32LE(16) !== event.length) {
      throw new RangeError(`ScapWriter: event length field does not match the ${event.length} bytes given`);
    }
    const info = EVENTS[event.readUInt16LE(20)] ?? null;
    const large = info !== null && info.large;
    const flags = (dumpFlags & ~DF_LARGE) >>> 0;
    const fl = flags !== 0 ? 4 : 0;
    const body = 2 + fl + event.length;
    const total = 8 + body + ((4 - (body & 3)) & 3) + 4;
    const isLarge = large || (dumpFlags & DF_LARGE) !== 0 || total - 8 > READER_BUF_SIZE;
    const w = new Builder(total);
    w.u32(isLarge ? (fl ? B.EVF_V2_LARGE : B.EV_V2_LARGE) : fl ? B.EVF_V2 : B.EV_V2);
    w.u32(total);
    w.u16(cpu);
    if (fl) w.u32(flags);
    w.bytes(event);
    w.zeros(total - 4 - w.pos);
    w.u32(total);
    this.put(w.buf, w.pos);
    this.events++;
    this.sectionEvents++;
  }

  /**
   * Appends complete, already framed event blocks (EV_V2/EVF_V2 and LARGE variants, e.g. a
   * batch from the live probe) without decoding them. `count` is the number of blocks in
   * `blocks`, for the event counters. The caller guarantees the framing.
   */
  writeBlocks(blocks: Buffer, count: number): void {
    if (this.sections === 0 || this.closed) this.checkOpen(true);
    this.put(blocks, blocks.length);
    this.events += count;
    this.sectionEvents += count;
  }

  /**
   * Appends LZ4 frames (from the native addon) holding `count` complete event blocks,
   * `rawLength` bytes once decoded, to an lz4 sink: the unfiltered capture path that never
   * touches event bytes in JS. False when the sink cannot take frames (caller decompresses).
   */
  writeLz4Blocks(frames: Buffer, rawLength: number, count: number): boolean {
    if (this.sections === 0 || this.closed) this.checkOpen(true);
    if (this.sink.compression !== 'lz4' || typeof this.sink.writeLz4Frames !== 'function') return false;
    this.drain();
    this.sink.writeLz4Frames(frames, rawLength);
    this.events += count;
    this.sectionEvents += count;
    return true;
  }

  /** Hands the batch to the sink and flushes it (file decodable up to here). */
  flush(durable = false): void {
    this.checkOpen();
    this.drain();
    this.sink.flush(durable);
  }

  /** Flushes and closes the sink; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.drain();
    } finally {
      this.sink.close();
    }
  }

  private checkOpen(needSection = false): void {
    if (this.closed) throw new Error('ScapWriter: used after close()');
    if (needSection && this.sections === 0)
      throw new Error('ScapWriter: writeSection() must come before the first event');
  }

  private drain(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.sink.write(this.batch.subarray(0, n));
  }

  /** Copies buf[0, n) into the batch (or straight to the sink when bigger than the batch). */
  private put(buf: Buffer, n: number): void {
    if (this.used + n > this.batch.length) this.drain();
    if (n > this.batch.length) {
      this.sink.write(buf.subarray(0, n));
      return;
    }
    buf.copy(this.batch, this.used, 0, n);
    this.used += n;
  }
}

function writeMachineInfo(w: Builder, m: MachineInfo): void {
  const s = beginBlock(w, B.MI);
  w.u32(m.numCpus);
  w.i64(m.memorySizeBytes);
  w.i64(m.maxPid);
  const n = w.raw(m.hostname, 127);
  w.zeros(128 - n);
  const r = m.reserved ?? Buffer.alloc(0);
  w.bytes(r, 32);
  if (r.length < 32) w.zeros(32 - r.length);
  endBlock(w, s);
}

function writeInterfaces(w: Builder, list: InterfaceEntry[]): void {
  const s = beginBlock(w, B.IL_V2);
  for (const e of list) {
    const v4 = e.type === 1 || e.type === 3;
    const alen = v4 ? 4 : 16;
    const name = e.name.length > MAX_FD_NAME ? e.name.slice(0, MAX_FD_NAME) : e.name;
    // entry_len excludes itself: type, namelen, 3 addresses, linkspeed, name
    w.u32(4 + 3 * alen + 8 + name.length);
    w.u16(v4 ? 1 : 2); // legacy types 3/4 (no linkspeed) are written as 1/2
    w.u16(name.length);
    for (const a of [e.addr, e.netmask, e.bcast]) {
      const b = a ?? Buffer.alloc(0);
      w.bytes(b, alen);
      if (b.length < alen) w.zeros(alen - b.length);
    }
    w.i64(e.linkspeed);
    w.raw(name, name.length);
  }
  endBlock(w, s);
}

function writeUsers(w: Builder, users: UserEntry[], groups: GroupEntry[]): void {
  const s = beginBlock(w, B.UL_V2);
  for (const u of users) {
    const at = w.pos;
    w.u32(0);
    w.u8(0);
    w.u32(u.uid);
    w.u32(u.gid);
    w.str16(u.name, MAX_CRED);
    w.str16(u.homedir, MAX_CRED);
    w.str16(u.shell, MAX_CRED);
    w.patchU32(at, w.pos - at);
  }
  for (const g of groups) {
    const at = w.pos;
    w.u32(0);
    w.u8(1);
    w.u32(g.gid);
    w.str16(g.name, MAX_CRED);
    w.patchU32(at, w.pos - at);
  }
  endBlock(w, s);
}

function writeProc(w: Builder, p: ProcEntry): void {
  const at = w.pos;
  w.u32(0);
  w.i64(p.tid);
  w.i64(p.pid);
  w.i64(p.ptid);
  w.i64(p.sid);
  w.i64(p.vpgid);
  w.str16(p.comm, MAX_PATH);
  w.str16(p.exe, MAX_PATH);
  w.str16(p.exepath, MAX_PATH);
  w.list16(p.args, MAX_ARGS);
  w.str16(p.cwd, MAX_PATH);
  w.i64(p.fdlimit);
  w.u32(p.flags);
  w.u32(p.uid);
  w.u32(p.gid);
  w.u32(p.vmsizeKb);
  w.u32(p.vmrssKb);
  w.u32(p.vmswapKb);
  w.i64(p.pfMajor);
  w.i64(p.pfMinor);
  w.list16(p.env, MAX_ARGS);
  w.i64(p.vtid);
  w.i64(p.vpid);
  w.list16(p.cgroups, MAX_ARGS);
  w.str16(p.root, MAX_PATH);
  // e5c53d64 tail. (libs >= 0.10 inserts pidns_init_start_ts and tty before loginuid, which
  // sysdig 0.29.3 misreads; their newer fields are not written.)
  w.u32(p.loginuid);
  w.u8(p.exeWritable ? 1 : 0);
  w.patchU32(at, w.pos - at);
}

function writeFdList(w: Builder, tid: number, fds: FdEntry[]): void {
  const s = beginBlock(w, B.FDL_V2);
  w.i64(tid);
  for (const f of fds) {
    if (f.type === FdType.UNINITIALIZED || (f.type as number) === 255) continue; // SCAP_FD_UNKNOWN / (u8)-1: libscap skips them
    const type = fdTypeForE5(f.type);
    const at = w.pos;
    w.u32(0);
    w.i64(f.fd);
    w.i64(f.ino);
    w.u8(type);
    switch (type) {
      case 3: // IPV4_SOCK
        w.u32(f.sip);
        w.u32(f.dip);
        w.u16(f.sport);
        w.u16(f.dport);
        w.u8(f.l4proto);
        break;
      case 5: // IPV4_SERVSOCK
        w.u32(f.sip);
        w.u16(f.sport);
        w.u8(f.l4proto);
        break;
      case 4: // IPV6_SOCK
        addr16(w, f.sip6);
        addr16(w, f.dip6);
        w.u16(f.sport);
        w.u16(f.dport);
        w.u8(f.l4proto);
        break;
      case 6: // IPV6_SERVSOCK
        addr16(w, f.sip6);
        w.u16(f.sport);
        w.u8(f.l4proto);
        break;
      case 8: // UNIX_SOCK
        w.big64(f.unixSource);
        w.big64(f.unixDest);
        w.str16(f.name, MAX_FD_NAME);
        break;
      case 16: // FILE_V2
        w.u32(f.openFlags);
        w.str16(f.name, MAX_FD_NAME);
        w.u32(f.dev);
        break;
      default: // FILE, DIRECTORY, FIFO, EVENT, UNSUPPORTED, SIGNALFD, EVENTPOLL, INOTIFY, TIMERFD, NETLINK
        w.str16(f.name, MAX_FD_NAME);
        break;
    }
    w.patchU32(at, w.pos - at);
  }
  endBlock(w, s);
}

function addr16(w: Builder, a: Buffer | null): void {
  const b = a ?? Buffer.alloc(0);
  w.bytes(b, 16);
  if (b.length < 16) w.zeros(16 - b.length);
}
