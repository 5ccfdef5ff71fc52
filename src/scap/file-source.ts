/**
 * Opens a trace file, sniffs its compression from the first bytes (gzip 1f 8b, LZ4 frame
 * 04 22 4d 18, raw scap 0a 0d 0d 0a) and streams the decompressed bytes into a ScapReader.
 * Errors name the file and the byte offset; whatever was read before a fault was delivered.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { ScapReader, TraceHandler, ReaderStats } from './reader';
import { Lz4FrameDecoder } from '../codec/lz4';
import { InputError, TraceFormatError } from '../util/errors';

export type Compression = 'none' | 'gzip' | 'lz4';

const CHUNK = 1 << 20;

export function sniffCompression(head: Buffer): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return 'lz4';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x0a0d0d0a) return 'none';
  return null;
}

export interface ReadResult {
  stats: ReaderStats;
  compression: Compression;
  stopped: boolean;
}

function describe(file: string, err: unknown, comp: Compression): InputError {
  if (err instanceof TraceFormatError) {
    const where = comp === 'none' ? '' : ' (offset in the decompressed stream)';
    return new InputError(`${file}: ${err.message}${where}`);
  }
  if (err instanceof InputError) return new InputError(`${file}: ${err.message}`, err.exitCode);
  const e = err as NodeJS.ErrnoException;
  if (e && e.code === 'ENOENT') return new InputError(`${file}: no such file`);
  if (e && e.code === 'EACCES') return new InputError(`${file}: permission denied`);
  if (e && e.code === 'EISDIR') return new InputError(`${file}: is a directory`);
  // a gzip stream cut short (a capture killed or out of disk) is truncated, not corrupt
  if (e && typeof e.message === 'string' && /unexpected end of file/i.test(e.message)) {
    return new InputError(`${file}: truncated gzip stream`);
  }
  if (e && (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR' || e.code === 'Z_NEED_DICT')) {
    return new InputError(`${file}: corrupt gzip data (${e.message})`);
  }
  if (e && e.name === 'Lz4Error') return new InputError(`${file}: corrupt LZ4 data: ${e.message}`);
  return new InputError(`${file}: ${e && e.message ? e.message : String(err)}`, 1);
}

/** Optional progress reporting (additive): file bytes consumed so far and the file size. */
export interface ReadProgress {
  /**
   * Called after each chunk. A returned promise is awaited before the next chunk (raw and
   * LZ4 files), which lets asynchronous work (alert outputs) run during a replay.
   */
  onProgress(fileBytes: number, fileSize: number): void | Promise<void>;
}

/** Reads a whole trace into handler; resolves with stats, rejects with a one-line InputError. */
export async function readTraceFile(file: string, handler: TraceHandler, progress?: ReadProgress): Promise<ReadResult> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw describe(file, e, 'none');
  }
  const reader = new ScapReader(handler);
  let comp: Compression = 'none';
  try {
    const head = Buffer.alloc(4);
    const got = fs.readSync(fd, head, 0, 4, 0);
    const sniffed = sniffCompression(head.subarray(0, got));
    if (sniffed === null) {
      if (got === 0) throw new InputError('empty file');
      throw new InputError(
        `not a scap file (unknown magic ${head.subarray(0, got).toString('hex')}; expected scap, gzip or LZ4)`,
      );
    }
    comp = sniffed;
    const size = progress !== undefined ? fs.fstatSync(fd).size : 0;
    if (comp === 'none') {
      if (progress === undefined)
        readRaw(
          fd,
          (b) => reader.feed(b),
          () => reader.stopped,
        );
      else
        await readRawProgress(
          fd,
          (b) => reader.feed(b),
          () => reader.stopped,
          (n) => progress.onProgress(n, size),
        );
    } else if (comp === 'lz4') {
      // (lent views: the reader copies what it keeps before feed returns)
      const dec = new Lz4FrameDecoder((b) => reader.feed(b), true);
      if (progress === undefined)
        readRaw(
          fd,
          (b) => dec.push(b),
          () => reader.stopped,
        );
      else
        await readRawProgress(
          fd,
          (b) => dec.push(b),
          () => reader.stopped,
          (n) => progress.onProgress(n, size),
        );
      if (!reader.stopped) dec.end();
    } else {
      // The stream owns its own descriptor (destroying a stream closes even a borrowed fd).
      fs.closeSync(fd);
      fd = -1;
      await readGzip(
        file,
        reader,
        progress !== undefined
          ? (n) => {
              void progress.onProgress(n, size);
            }
          : undefined,
      );
    }
    reader.finish();
  } catch (e) {
    throw describe(file, e, comp);
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
  return { stats: reader.stats, compression: comp, stopped: reader.stopped };
}

/**
 * One read buffer for the whole file: the reader copies what it keeps (an incomplete block)
 * before feed() returns, and a fresh 1 MiB buffer per chunk costs the kernel a page fault per
 * page on every read (~13% of a replay).
 */
function readRaw(fd: number, sink: (b: Buffer) => void, stopped: () => boolean): void {
  let pos = 0;
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK, pos);
    if (n === 0) return;
    pos += n;
    sink(n === CHUNK ? buf : buf.subarray(0, n));
    if (stopped()) return;
  }
}

/** readRaw with a progress callback after each chunk; awaits the promise it may return. */
async function readRawProgress(
  fd: number,
  sink: (b: Buffer) => void,
  stopped: () => boolean,
  onChunk: (pos: number) => void | Promise<void>,
): Promise<void> {
  let pos = 0;
  const buf = Buffer.allocUnsafe(CHUNK); // reused, as in readRaw
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK, pos);
    if (n === 0) return;
    pos += n;
    sink(n === CHUNK ? buf : buf.subarray(0, n));
    const p = onChunk(pos);
    if (p !== undefined) await p;
    if (stopped()) return;
  }
}

function readGzip(file: string, reader: ScapReader, onBytes?: (fileBytes: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const src = fs.createReadStream(file, { highWaterMark: CHUNK });
    const gunzip = zlib.createGunzip({ chunkSize: CHUNK });
    let done = false;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      gunzip.destroy();
      if (src.closed) reject(e);
      else {
        src.once('close', () => reject(e));
        src.destroy();
      }
    };
    gunzip.on('data', (b: Buffer) => {
      if (done) return;
      try {
        reader.feed(b);
      } catch (e) {
        fail(e as Error);
        return;
      }
      if (reader.stopped) {
        done = true;
        gunzip.destroy();
        // The file may be wholly read and closed already: 'close' would then never come again.
        if (src.closed) resolve();
        else {
          src.once('close', () => resolve());
          src.destroy();
        }
      }
    });
    gunzip.on('end', () => {
      if (done) return;
      done = true;
      if (src.closed) resolve();
      else src.once('close', () => resolve());
    });
    gunzip.on('error', fail);
    src.on('error', fail);
    if (onBytes !== undefined) {
      let read = 0;
      src.on('data', (b) => {
        read += b.length;
        onBytes(read);
      });
    }
    src.pipe(gunzip);
  });
}
