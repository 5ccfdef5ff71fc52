/**
 * Output files of `capture -w`, with sysdig's rotation flags (libsinsp cyclewriter.cpp):
 *
 *   -C MB   start a new file once the current one exceeds MB×10^6 bytes (on disk);
 *   -G S    start a new file every S seconds;
 *   -W N    with -C (or -e): a ring of N files, the oldest overwritten; with -G alone: stop
 *           after N files;
 *   -e N    start a new file every N events.
 *
 * Names follow sysdig: no rotation → FILE; -C → FILE0, FILE1, … (zero-padded to the digits
 * of N with -W N: FILE00 … FILE09 for -W 10); -G → FILE0, FILE1, … or, when FILE contains
 * '%', strftime(FILE) of the rotation time (then -C appends its index too, as sysdig does);
 * -e → FILE0, FILE1, …. Every file starts with a fresh snapshot section; files are created
 * 0600 without following symlinks (openTraceSink).
 */
import * as fs from 'node:fs';
import { openTraceSink, SinkCompression, TraceSink } from '../scap/compressed-sink';
import { ScapWriter } from '../scap/writer';
import type { SectionMetadata } from '../scap/metadata';
import { InputError } from '../util/errors';

export interface RotationOptions {
  /** -w FILE */
  base: string;
  compression: SinkCompression;
  /** -C: megabytes (10^6 bytes) per file */
  rolloverMB?: number;
  /** -G: seconds per file */
  durationSec?: number;
  /** -W: number of files */
  fileLimit?: number;
  /** -e: events per file */
  eventLimit?: number;
}

/** A usage problem with the rotation flags, or null. */
export function rotationUsageError(o: RotationOptions): string | null {
  const pos = (v: number | undefined) => v !== undefined && v > 0;
  if (o.rolloverMB !== undefined && o.rolloverMB <= 0) return '-C: expected a positive number of megabytes';
  if (o.durationSec !== undefined && o.durationSec <= 0) return '-G: expected a positive number of seconds';
  if (o.fileLimit !== undefined && o.fileLimit <= 0) return '-W: expected a positive number of files';
  if (o.eventLimit !== undefined && o.eventLimit <= 0) return '-e: expected a positive number of events';
  if (pos(o.fileLimit) && !pos(o.rolloverMB) && !pos(o.durationSec) && !pos(o.eventLimit)) {
    return '-W needs -C, -G or -e';
  }
  return null;
}

/** Minimal strftime (local time) for -G file names: %Y %y %m %d %e %H %M %S %j %s %b %a %F %T %%. */
export function strftime(fmt: string, d: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return fmt.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getFullYear());
      case 'y':
        return p2(d.getFullYear() % 100);
      case 'm':
        return p2(d.getMonth() + 1);
      case 'd':
        return p2(d.getDate());
      case 'e':
        return String(d.getDate()).padStart(2, ' ');
      case 'H':
        return p2(d.getHours());
      case 'M':
        return p2(d.getMinutes());
      case 'S':
        return p2(d.getSeconds());
      case 'j': {
        const start = new Date(d.getFullYear(), 0, 1);
        const day = Math.floor((d.getTime() - start.getTime()) / 86400000) + 1;
        return String(day).padStart(3, '0');
      }
      case 's':
        return String(Math.floor(d.getTime() / 1000));
      case 'b':
        return months[d.getMonth()];
      case 'a':
        return days[d.getDay()];
      case 'F':
        return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
      case 'T':
        return `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
      case '%':
        return '%';
      default:
        return all;
    }
  });
}

/** sysdig's cycle_writer::next_file naming, as a pure sequence. */
export class FileNamer {
  private index = 0;
  /** names used per ring slot when -G with a strftime pattern and -W (sysdig removes the old one) */
  private readonly past: string[] = [];
  private readonly limitFormatDigits: number;

  constructor(private readonly o: RotationOptions) {
    let digits = 0;
    for (let n = o.fileLimit ?? 0; n > 0; n = Math.floor(n / 10)) digits++;
    this.limitFormatDigits = digits;
  }

  /** Name of the next file; `previous` is a file this one replaces in a -G ring (to remove). */
  next(when: Date = new Date()): { name: string; previous: string | null } {
    const o = this.o;
    const limit = o.fileLimit ?? 0;
    if (limit > 0 && this.index >= limit) this.index = 0;
    let name: string;
    let previous: string | null = null;
    if ((o.durationSec ?? 0) > 0) {
      if (o.base.includes('%')) {
        name = strftime(o.base, when);
        if (limit > 0) {
          const old = this.past[this.index];
          if (old !== undefined && old !== '' && old !== name) previous = old;
          this.past[this.index] = name;
        }
      } else {
        name = o.base + String(this.index);
      }
    } else {
      name = o.base;
    }
    if ((o.rolloverMB ?? 0) > 0) name += String(this.index).padStart(this.limitFormatDigits, '0');
    if ((o.eventLimit ?? 0) > 0) name = o.base + String(this.index);
    this.index++;
    return { name, previous };
  }
}

/** The current output file and its rotation. */
export class RotatingWriter {
  /** every file opened, in order (a ring reuses names) */
  readonly files: string[] = [];
  private writerV: ScapWriter | null = null;
  private sink: TraceSink | null = null;
  private readonly namer: FileNamer;
  private opened = 0;
  private startedMs = 0;
  private eventsInFile = 0;
  private closedBytes = 0;
  private readonly rolloverBytes: number;
  /** -G with -W and no -C/-e: stop after this many files */
  private readonly stopAfter: number;
  /** called after each file's snapshot section (e.g. to record the known containers) */
  onOpen: ((w: ScapWriter) => void) | null = null;

  constructor(
    private readonly o: RotationOptions,
    private readonly snapshot: () => SectionMetadata,
  ) {
    this.namer = new FileNamer(o);
    this.rolloverBytes = (o.rolloverMB ?? 0) > 0 ? o.rolloverMB! * 1e6 : Infinity;
    const ring = (o.rolloverMB ?? 0) > 0 || (o.eventLimit ?? 0) > 0;
    this.stopAfter = !ring && (o.durationSec ?? 0) > 0 && (o.fileLimit ?? 0) > 0 ? o.fileLimit! : Infinity;
  }

  get writer(): ScapWriter {
    if (this.writerV === null) throw new Error('RotatingWriter: not open');
    return this.writerV;
  }

  /** Name of the file being written. */
  get current(): string {
    return this.files[this.files.length - 1] ?? '';
  }

  /** Bytes on disk so far, all files (what is still batched in memory excluded). */
  get bytesWritten(): number {
    return this.closedBytes + (this.sink !== null ? this.sink.bytesWritten : 0);
  }

  /** Opens the first file and writes its snapshot section. */
  open(nowMs = Date.now()): void {
    this.openNext(nowMs);
  }

  /**
   * Starts the next file if a limit is reached. Returns false when -G -W says to stop
   * (the current file is then kept open for close()).
   */
  maybeRotate(nowMs = Date.now()): boolean {
    if (!this.due(nowMs)) return true;
    if (this.opened >= this.stopAfter) return false;
    this.closeCurrent();
    this.openNext(nowMs);
    return true;
  }

  /** Whether a rotation limit has been reached. */
  due(nowMs = Date.now()): boolean {
    const o = this.o;
    if ((o.durationSec ?? 0) > 0 && nowMs - this.startedMs >= o.durationSec! * 1000) return true;
    if ((o.eventLimit ?? 0) > 0 && this.eventsInFile >= o.eventLimit!) return true;
    if (this.rolloverBytes !== Infinity && this.fileBytes() > this.rolloverBytes) return true;
    return false;
  }

  /** Events still allowed in the current file before -e rotates (Infinity without -e). */
  roomForEvents(): number {
    const lim = this.o.eventLimit ?? 0;
    return lim > 0 ? Math.max(lim - this.eventsInFile, 0) : Infinity;
  }

  /** Counts events written through `writer` directly (filtered path). */
  noteEvents(n: number): void {
    this.eventsInFile += n;
  }

  /**
   * Writes pre-framed blocks (count of them), splitting the batch at -e boundaries and
   * rotating between parts. `ends[i]` is the end offset of block i (from frameEnds()).
   * Returns false if -G -W asked to stop before everything was written.
   */
  writeBlocks(buf: Buffer, ends: Uint32Array | number[], count: number, nowMs = Date.now()): boolean {
    let done = 0;
    let start = 0;
    while (done < count) {
      if (!this.maybeRotate(nowMs)) return false;
      const room = this.roomForEvents();
      const n = Math.min(count - done, room === Infinity ? count : room);
      if (n <= 0) continue; // -e rotated on the next pass
      const end = ends[done + n - 1];
      this.writer.writeBlocks(buf.subarray(start, end), n);
      this.eventsInFile += n;
      done += n;
      start = end;
    }
    return this.maybeRotate(nowMs);
  }

  /**
   * Appends LZ4 frames of `count` event blocks compressed by the addon (`rawLength` bytes
   * decoded): rotation happens between batches. Returns false if -G -W asked to stop.
   */
  writeLz4Blocks(frames: Buffer, rawLength: number, count: number, nowMs = Date.now()): boolean {
    if (!this.maybeRotate(nowMs)) return false;
    if (!this.writer.writeLz4Blocks(frames, rawLength, count)) {
      throw new Error('RotatingWriter: LZ4 frames need an lz4 sink');
    }
    this.eventsInFile += count;
    return this.maybeRotate(nowMs);
  }

  flush(): void {
    if (this.writerV !== null) this.writerV.flush();
  }

  close(): void {
    this.closeCurrent();
  }

  private fileBytes(): number {
    if (this.sink === null) return 0;
    // uncompressed output: count what is still batched too
    return this.o.compression === 'none' && this.writerV !== null ? this.writerV.offset : this.sink.bytesWritten;
  }

  private closeCurrent(): void {
    if (this.writerV === null) return;
    const w = this.writerV;
    this.writerV = null;
    try {
      w.close();
    } finally {
      this.closedBytes += this.sink!.bytesWritten;
      this.sink = null;
    }
  }

  private openNext(nowMs: number): void {
    const { name, previous } = this.namer.next(new Date(nowMs));
    if (previous !== null) {
      try {
        fs.unlinkSync(previous);
      } catch {
        /* already gone */
      }
    }
    const sink = openTraceSink(name, this.o.compression);
    this.sink = sink;
    this.writerV = new ScapWriter(sink);
    this.files.push(name);
    this.opened++;
    this.startedMs = nowMs;
    this.eventsInFile = 0;
    this.writerV.writeSection(this.snapshot());
    if (this.onOpen !== null) this.onOpen(this.writerV);
    // the section is on disk at once: even a capture killed right away leaves a valid header
    this.writerV.flush();
  }
}

/** Rotation flags from the CLI, validated (InputError exit 2 on misuse). */
export function checkRotation(o: RotationOptions): RotationOptions {
  const err = rotationUsageError(o);
  if (err !== null) throw new InputError(err, 2);
  return o;
}
