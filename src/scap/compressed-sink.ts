/**
 * Output side of a trace file: a synchronous, batched byte sink with optional compression.
 *
 *  - The file is opened with O_NOFOLLOW (a symlink planted at the path is refused, its target
 *    untouched), created 0600, and truncated only after we checked what we opened: a regular
 *    file with a single link (or a FIFO / character device such as /dev/null). An existing
 *    regular file we own is reset to 0600. Think root writing into /tmp.
 *  - Writes are batched (256 KiB, 1 MiB for gzip) and go out with fs.writeSync.
 *  - `flush()` leaves the file decodable up to that point:
 *      none: the batch is written;
 *      gzip: every batch is one complete gzip member (zlib's gzread, i.e. sysdig, and Node's
 *            gunzip both read concatenated members as one stream);
 *      lz4:  the current frame is ended (end mark + content checksum) and the next write starts
 *            a new frame; LZ4 readers decode concatenated frames.
 *
 * Why a gzip member per batch rather than one deflate stream: Node has no public synchronous
 * streaming deflate (zlib.Gzip's sync path closes its handle after each call), and an async
 * stream would make write()/flush() asynchronous. Measured on real captures (502Error +
 * example4-1 repeated, 38 MB): members of 1 MiB lose under 1% of ratio against 4 MiB members
 * (level 3: 6.20 vs 6.22), and a member per batch is what makes every flush crash-safe.
 * Level: 1 = 5.5x at ~250 MB/s, 3 = 6.2x at ~185 MB/s, 6 (sysdig -z) = 6.8x at ~75 MB/s.
 * Default 3; configurable.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { Lz4FrameEncoder } from '../codec/lz4';
import { InputError } from '../util/errors';

export type SinkCompression = 'lz4' | 'gzip' | 'none';

export interface TraceSink {
  readonly path: string;
  readonly compression: SinkCompression;
  /** Bytes handed to the file so far (compressed size on disk; excludes what is still batched). */
  readonly bytesWritten: number;
  /** Uncompressed bytes accepted by write() so far (what a reader will decode). */
  readonly bytesIn: number;
  /** Consumes buf synchronously (copied or written before returning; no reference kept). */
  write(buf: Buffer): void;
  /** Writes everything accepted so far so that the file decodes up to here; `durable` adds fsync. */
  flush(durable?: boolean): void;
  /**
   * Appends complete LZ4 frames compressed elsewhere (the native addon) that decode to
   * `rawLength` bytes; lz4 sinks only (ends the sink's own frame first: frames concatenate).
   */
  writeLz4Frames?(frames: Buffer, rawLength: number): void;
  /** flush + close; idempotent. */
  close(): void;
}

export interface SinkOptions {
  /** gzip level 1..9 (default 3) */
  gzipLevel?: number;
  /** batch size in bytes (default 256 KiB; gzip 1 MiB) */
  batchSize?: number;
  /** file mode for a newly created file (default 0o600) */
  mode?: number;
}

const DEFAULT_BATCH = 256 * 1024;
const GZIP_BATCH = 1024 * 1024;

/** Clear one-line description of an fs error on `path`. */
function ioError(path: string, e: unknown, writing: boolean): InputError {
  const err = e as NodeJS.ErrnoException;
  const code = err && err.code;
  let what: string;
  switch (code) {
    case 'ENOSPC':
      what = 'no space left on device';
      break;
    case 'EDQUOT':
      what = 'disk quota exceeded';
      break;
    case 'EFBIG':
      what = 'file too large';
      break;
    case 'EACCES':
    case 'EPERM':
      what = 'permission denied';
      break;
    case 'EISDIR':
      what = 'is a directory';
      break;
    case 'ENOENT':
      what = 'no such file or directory (does the directory exist?)';
      break;
    case 'ENOTDIR':
      what = 'a component of the path is not a directory';
      break;
    case 'EROFS':
      what = 'read-only file system';
      break;
    case 'ELOOP':
      what = 'refusing to write through a symbolic link';
      break;
    case 'EIO':
      what = 'I/O error';
      break;
    case 'EPIPE':
      what = 'broken pipe';
      break;
    default:
      what = err && err.message ? err.message : String(e);
  }
  // Problems opening are the user's to fix (exit 2); failures while writing are runtime errors (1).
  return new InputError(`${path}: cannot ${writing ? 'write' : 'open for writing'}: ${what}`, writing ? 1 : 2);
}

/**
 * Opens `path` for writing without following a symlink there. An existing regular file is
 * truncated (as sysdig -w does); one with several hard links is refused (it would be written
 * through the other name too). A new file gets mode 0600.
 */
export function openOutputFile(path: string, mode = 0o600): number {
  const C = fs.constants;
  let fd: number;
  try {
    // No O_TRUNC here: we truncate only after checking what we opened.
    fd = fs.openSync(path, C.O_WRONLY | C.O_CREAT | C.O_NOFOLLOW, mode); // libuv adds O_CLOEXEC itself
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err && err.code === 'ELOOP') {
      throw new InputError(`${path}: refusing to write: the path is a symbolic link`, 2);
    }
    throw ioError(path, e, false);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`${path}: cannot open for writing: is a directory`, 2);
    if (st.isFile()) {
      if (st.nlink > 1) throw new InputError(`${path}: refusing to write: the file has ${st.nlink} hard links`, 2);
      fs.ftruncateSync(fd, 0);
      // A trace holds arguments, environments and data buffers: an existing file we own gets
      // the same private mode as a new one (sysdig would keep the old mode).
      if (typeof process.geteuid === 'function' && st.uid === process.geteuid() && (st.mode & 0o7777) !== mode) {
        fs.fchmodSync(fd, mode);
      }
    }
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      /* ignore */
    }
    if (e instanceof InputError) throw e;
    throw ioError(path, e, false);
  }
  return fd;
}

class FileTraceSink implements TraceSink {
  bytesWritten = 0;
  bytesIn = 0;
  private fd: number;
  private readonly batch: Buffer;
  private used = 0;
  private closed = false;
  private failed: InputError | null = null;
  private lz4: Lz4FrameEncoder | null = null;
  private readonly gzipLevel: number;

  constructor(
    readonly path: string,
    readonly compression: SinkCompression,
    opts: SinkOptions,
  ) {
    if (compression !== 'none' && compression !== 'gzip' && compression !== 'lz4') {
      throw new InputError(`${path}: unknown compression '${String(compression)}' (expected lz4, gzip or none)`, 2);
    }
    const level = opts.gzipLevel ?? 3;
    if (!Number.isInteger(level) || level < 1 || level > 9) throw new RangeError(`gzip level ${level} is not in 1..9`);
    this.gzipLevel = level;
    this.batch = Buffer.allocUnsafe(opts.batchSize ?? (compression === 'gzip' ? GZIP_BATCH : DEFAULT_BATCH));
    this.fd = openOutputFile(path, opts.mode ?? 0o600);
  }

  write(buf: Buffer): void {
    this.check();
    const n = buf.length;
    this.bytesIn += n;
    const cap = this.batch.length;
    if (this.used === 0 && n >= cap) {
      this.emit(buf);
      return;
    }
    let p = 0;
    while (p < n) {
      const k = Math.min(cap - this.used, n - p);
      buf.copy(this.batch, this.used, p, p + k);
      this.used += k;
      p += k;
      if (this.used === cap) this.drain();
    }
  }

  writeLz4Frames(frames: Buffer, rawLength: number): void {
    this.check();
    if (this.compression !== 'lz4') throw new Error(`${this.path}: LZ4 frames written to a ${this.compression} sink`);
    this.drain();
    if (this.lz4 !== null) {
      const tail = this.lz4.end();
      this.lz4 = null;
      this.writeOut(tail);
    }
    this.bytesIn += rawLength;
    this.writeOut(frames);
  }

  flush(durable = false): void {
    this.check();
    this.drain();
    if (this.lz4 !== null) {
      const tail = this.lz4.end();
      this.lz4 = null;
      this.writeOut(tail);
    }
    if (durable) {
      try {
        fs.fsyncSync(this.fd);
      } catch (e) {
        this.fail(e);
      }
    }
  }

  close(): void {
    if (this.closed) return;
    let err: Error | null = null;
    if (this.failed === null) {
      try {
        this.flush();
      } catch (e) {
        err = e as Error;
      }
    }
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch (e) {
      if (err === null) err = ioError(this.path, e, true);
    }
    this.fd = -1;
    if (err !== null) throw err;
  }

  private check(): void {
    if (this.failed !== null) throw this.failed;
    if (this.closed) throw new Error(`${this.path}: trace sink used after close()`);
  }

  private drain(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.emit(this.batch.subarray(0, n));
  }

  /** Compresses (or not) one chunk and writes it. */
  private emit(chunk: Buffer): void {
    switch (this.compression) {
      case 'none':
        this.writeOut(chunk);
        return;
      case 'gzip':
        this.writeOut(zlib.gzipSync(chunk, { level: this.gzipLevel }));
        return;
      case 'lz4': {
        if (this.lz4 === null) this.lz4 = new Lz4FrameEncoder();
        const out = this.lz4.push(chunk);
        if (out.length > 0) this.writeOut(out);
        return;
      }
    }
  }

  private writeOut(buf: Buffer): void {
    let p = 0;
    try {
      while (p < buf.length) {
        const k = fs.writeSync(this.fd, buf, p, buf.length - p);
        if (k <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        p += k;
      }
    } catch (e) {
      this.bytesWritten += p;
      this.fail(e);
    }
    this.bytesWritten += p;
  }

  private fail(e: unknown): never {
    this.failed = ioError(this.path, e, true);
    throw this.failed;
  }
}

/** Opens a trace file for writing; see the module comment for the guarantees. */
export function openTraceSink(path: string, compression: SinkCompression, opts: SinkOptions = {}): TraceSink {
  return new FileTraceSink(path, compression, opts);
}

/** In-memory sink (tests, in-process pipelines): collects the uncompressed bytes. */
export class MemorySink implements TraceSink {
  readonly path = '<memory>';
  readonly compression: SinkCompression = 'none';
  private parts: Buffer[] = [];
  bytesIn = 0;
  get bytesWritten(): number {
    return this.bytesIn;
  }
  write(buf: Buffer): void {
    this.parts.push(Buffer.from(buf));
    this.bytesIn += buf.length;
  }
  flush(): void {
    /* nothing buffered */
  }
  close(): void {
    /* nothing to close */
  }
  contents(): Buffer {
    const b = Buffer.concat(this.parts);
    this.parts = [b];
    return b;
  }
}
