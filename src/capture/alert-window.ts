/**
 * Capture on alert (live mode, `--capture-on-alert DIR [--before S --after S]`): a bounded
 * in-memory window of recent events and, when a rule fires, a trace of the seconds before
 * and after the alert, replayable on its own.
 *
 *   every event ─→ ring of chunks (raw v2 event bytes + cpu + dump flags), trimmed to what the
 *                  oldest needed snapshot covers, and to --capture-buffer-mb
 *   every ~S/2 s ─→ state snapshot (snapshotState), tagged with the next event's sequence number
 *   alert ─→ file: the newest snapshot taken at or before (alert − before), then the ring's
 *            events from that snapshot on (those older than the window only if they change
 *            state, hidden with SCAP_DF_STATE_ONLY), then every new event until alert + after
 *            (extended by later alerts, up to 4 × after); one capture at a time
 *
 * Files are `DIR/falco-ts-alert-<UTC time>-<rule>.scap` (LZ4), created 0600; before a new one
 * the oldest such files are removed to keep at most maxFiles and maxBytes in DIR; a capture
 * stops growing when it alone would exceed maxBytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { openTraceSink, type SinkCompression, type TraceSink } from '../scap/compressed-sink';
import { ScapWriter, DF_STATE_ONLY } from '../scap/writer';
import type { SectionMetadata } from '../scap/metadata';

export interface AlertCaptureOptions {
  dir: string;
  /** seconds of events before the alert (default 5) */
  beforeSec?: number;
  /** seconds of events after the alert (default 5) */
  afterSec?: number;
  /** capture files kept in dir (default 20) */
  maxFiles?: number;
  /** bytes of capture files kept in dir (default 100 MB) */
  maxBytes?: number;
  /** memory for the event window (default 64 MiB) */
  bufferBytes?: number;
  compression?: SinkCompression;
  /** the current state as section metadata (snapshotState of the live state) */
  snapshot: () => SectionMetadata;
  /** wall clock (tests) */
  now?: () => number;
}

const STATEFUL = new Uint8Array(EVENTS.length);
for (const e of EVENTS) {
  if (!e || !e.flags.includes('EF_MODIFIES_STATE')) continue;
  STATEFUL[e.code] = 1;
  if ((e.code ^ 1) < EVENTS.length) STATEFUL[e.code ^ 1] = 1;
}

const CHUNK = 1 << 20;
/** record header: u32 event length, u16 cpu, u16 dump flags */
const REC = 8;
const TWO32 = 4294967296;

interface Chunk {
  buf: Buffer;
  used: number;
  firstSeq: number;
  count: number;
  lastTs: number;
}
interface Snap {
  ts: number;
  seq: number;
  meta: SectionMetadata;
}
interface Active {
  file: string;
  sink: TraceSink;
  writer: ScapWriter;
  endTs: number;
  maxEndTs: number;
  endWall: number;
  maxEndWall: number;
}

export const ALERT_FILE_RE = /^falco-ts-alert-.*\.scap$/;

export function alertFileName(rule: string, wallMs: number): string {
  const t = new Date(wallMs).toISOString().replace(/[-:]/g, '').replace('.', '-'); // 20250101T120000-123Z
  const r =
    rule
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'rule';
  return `falco-ts-alert-${t}-${r}.scap`;
}

export class AlertCapture {
  readonly before: number;
  readonly after: number;
  private readonly maxFiles: number;
  private readonly maxBytes: number;
  private readonly bufferBytes: number;
  private readonly snapEvery: number;
  private readonly now: () => number;
  private chunks: Chunk[] = [];
  private bytes = 0;
  private seq = 0;
  private snaps: Snap[] = [];
  private active: Active | null = null;
  /** capture files written (in order) */
  readonly files: string[] = [];
  /** alerts seen while a capture was being written (they extended it) */
  merged = 0;

  constructor(private readonly o: AlertCaptureOptions) {
    this.before = (o.beforeSec ?? 5) * 1e9;
    this.after = (o.afterSec ?? 5) * 1e9;
    this.maxFiles = Math.max(1, o.maxFiles ?? 20);
    this.maxBytes = o.maxBytes ?? 100e6;
    this.bufferBytes = Math.max(2 * CHUNK, o.bufferBytes ?? 64 * CHUNK);
    this.snapEvery = Math.max(0.5e9, this.before / 2);
    this.now = o.now ?? Date.now;
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  }

  /** Every event, after the state processed it (so a snapshot taken now includes it). */
  onEvent(ev: EventView): void {
    const ts = ev.tsHi * TWO32 + ev.tsLo;
    const last = this.snaps.length > 0 ? this.snaps[this.snaps.length - 1] : null;
    this.append(ev, ts);
    if (last === null || ts - last.ts >= this.snapEvery) {
      this.snaps.push({ ts, seq: this.seq, meta: this.o.snapshot() });
      this.trim(ts);
    }
    const a = this.active;
    if (a !== null) {
      if (ts > a.endTs) this.finish();
      else {
        a.writer.writeEvent(ev, ev.dumpFlags);
        if (a.sink.bytesWritten > this.maxBytes) this.finish();
      }
    }
  }

  /** A rule fired on `ev` (already passed to onEvent). */
  onAlert(rule: string, ev: EventView): void {
    const ts = ev.tsHi * TWO32 + ev.tsLo;
    const a = this.active;
    if (a !== null) {
      this.merged++;
      a.endTs = Math.min(a.maxEndTs, Math.max(a.endTs, ts + this.after));
      a.endWall = Math.min(a.maxEndWall, this.now() + this.after / 1e6 + 1000);
      return;
    }
    this.start(rule, ts);
  }

  /** Wall-clock tick: ends a capture whose after-period passed without events. */
  tick(): void {
    if (this.active !== null && this.now() > this.active.endWall) this.finish();
  }

  /** Ends the capture being written, if any. */
  close(): void {
    this.finish();
  }

  get capturing(): boolean {
    return this.active !== null;
  }

  private append(ev: EventView, ts: number): void {
    const len = ev.len; // live events are v2
    const need = REC + len;
    let c = this.chunks.length > 0 ? this.chunks[this.chunks.length - 1] : null;
    if (c === null || c.used + need > c.buf.length) {
      c = { buf: Buffer.allocUnsafe(Math.max(CHUNK, need)), used: 0, firstSeq: this.seq, count: 0, lastTs: ts };
      this.chunks.push(c);
      this.bytes += c.buf.length;
      if (this.bytes > this.bufferBytes) this.dropOldest();
    }
    const b = c.buf;
    let p = c.used;
    b.writeUInt32LE(len, p);
    b.writeUInt16LE(ev.cpu & 0xffff, p + 4);
    b.writeUInt16LE(ev.dumpFlags & 0xffff, p + 6);
    p += REC;
    if (ev.v1) {
      // not expected live; keep the state right anyway by storing nothing for it
      return;
    }
    ev.buf.copy(b, p, ev.off, ev.off + len);
    c.used = p + len;
    c.count++;
    c.lastTs = ts;
    this.seq++;
  }

  /** Keeps the newest snapshot at or before (now − before) and the events from it on. */
  private trim(ts: number): void {
    while (this.snaps.length >= 2 && this.snaps[1].ts <= ts - this.before) this.snaps.shift();
    const keepFrom = this.snaps[0].seq;
    while (this.chunks.length > 1 && this.chunks[0].firstSeq + this.chunks[0].count <= keepFrom) {
      this.bytes -= this.chunks[0].buf.length;
      this.chunks.shift();
    }
  }

  /** Memory cap: drops the oldest chunk and the snapshots it invalidates (the window shrinks). */
  private dropOldest(): void {
    while (this.bytes > this.bufferBytes && this.chunks.length > 1) {
      this.bytes -= this.chunks[0].buf.length;
      this.chunks.shift();
    }
    const first = this.chunks[0].firstSeq;
    while (this.snaps.length > 0 && this.snaps[0].seq < first) this.snaps.shift();
  }

  private start(rule: string, ts: number): void {
    const wall = this.now();
    const file = path.join(this.o.dir, alertFileName(rule, wall));
    this.enforceLimits();
    const from = ts - this.before;
    // the newest snapshot at or before the window start, else the oldest we have
    let snap: Snap | null = null;
    for (const s of this.snaps) {
      if (s.ts <= from) snap = s;
    }
    if (snap === null) snap = this.snaps.length > 0 ? this.snaps[0] : { ts, seq: this.seq, meta: this.o.snapshot() };
    let sink: TraceSink;
    try {
      sink = openTraceSink(file, this.o.compression ?? 'lz4');
    } catch (e) {
      process.stderr.write(`falco-ts: capture on alert: ${file}: ${(e as Error).message}\n`);
      return;
    }
    const writer = new ScapWriter(sink);
    writer.writeSection(snap.meta);
    for (const c of this.chunks) {
      if (c.firstSeq + c.count <= snap.seq) continue;
      let p = 0;
      for (let i = 0, seq = c.firstSeq; i < c.count; i++, seq++) {
        const len = c.buf.readUInt32LE(p);
        const cpu = c.buf.readUInt16LE(p + 4);
        const flags = c.buf.readUInt16LE(p + 6);
        const evStart = p + REC;
        p = evStart + len;
        if (seq < snap.seq) continue;
        const evTs = c.buf.readUInt32LE(evStart + 4) * TWO32 + c.buf.readUInt32LE(evStart);
        const type = c.buf.readUInt16LE(evStart + 20);
        const bytes = c.buf.subarray(evStart, evStart + len);
        if (evTs < from) {
          if (STATEFUL[type] === 1) writer.writeEventBytes(bytes, cpu, flags | DF_STATE_ONLY);
        } else {
          writer.writeEventBytes(bytes, cpu, flags);
        }
      }
    }
    writer.flush();
    this.files.push(file);
    const wallAfter = this.after / 1e6;
    this.active = {
      file,
      sink,
      writer,
      endTs: ts + this.after,
      maxEndTs: ts + 4 * this.after,
      endWall: wall + wallAfter + 1000,
      maxEndWall: wall + 4 * wallAfter + 1000,
    };
  }

  private finish(): void {
    const a = this.active;
    if (a === null) return;
    this.active = null;
    try {
      a.writer.close();
    } catch (e) {
      process.stderr.write(`falco-ts: capture on alert: ${a.file}: ${(e as Error).message}\n`);
    }
  }

  /** Removes the oldest capture files so one more fits in maxFiles / maxBytes. */
  private enforceLimits(): void {
    let names: string[];
    try {
      names = fs
        .readdirSync(this.o.dir)
        .filter((n) => ALERT_FILE_RE.test(n))
        .sort();
    } catch {
      return;
    }
    const sizes = names.map((n) => {
      try {
        return fs.statSync(path.join(this.o.dir, n)).size;
      } catch {
        return 0;
      }
    });
    let total = sizes.reduce((a, b) => a + b, 0);
    let i = 0;
    while (i < names.length && (names.length - i >= this.maxFiles || total > this.maxBytes * 0.75)) {
      try {
        fs.unlinkSync(path.join(this.o.dir, names[i]));
      } catch {
        /* gone */
      }
      total -= sizes[i];
      i++;
    }
  }
}
