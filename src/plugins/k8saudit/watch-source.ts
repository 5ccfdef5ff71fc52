/**
 * The k8saudit file-watch source (open_params file:///path): follows an audit log the API
 * server keeps writing, as the Go plugin does: what the file holds at open is skipped (only
 * new lines are read), a truncated file (logrotate copytruncate) is read again from its start,
 * a replaced file (rotation by rename, a new inode) is read from its start, a missing file is
 * waited for. The file is polled, not watched through inotify: one stat per wait is cheap and
 * sees renames and truncations alike. A line is read only once it ends; a line that is not
 * JSON is warned about and skipped (a live log must not stop the sensor).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { SourceBatch, SourceInstance, SourcedEvent } from '../api';
import { eventsOfLine } from './audit-events';

const POLL_MS = 100;
const CHUNK = 1 << 20;

/** the path of file:///path (Go's url.Parse: a host part, as in file://host/path, is dropped) */
export function watchPath(params: string): string {
  const rest = params.trim().replace(/^file:\/\//i, '');
  const slash = rest.indexOf('/');
  return slash < 0 ? '' : rest.slice(slash);
}

export class AuditWatchSource implements SourceInstance {
  private readonly file: string;
  private fd: number | null = null;
  private ino = -1;
  private offset = 0;
  private partial = '';
  private line = 0;
  private closed = false;
  private readonly buf = Buffer.alloc(CHUNK);
  // (a character split between two reads is joined)
  private decoder = new StringDecoder('utf8');

  constructor(
    params: string,
    private readonly maxEventSize: number,
    private readonly warn: (msg: string) => void,
  ) {
    const p = watchPath(params);
    if (p === '') throw new Error(`k8saudit: open_params '${params}': expected file:///path`);
    this.file = path.resolve(p);
    const st = this.stat();
    if (st) this.reopen(st, st.size);
  }

  private stat(): fs.Stats | null {
    try {
      return fs.statSync(this.file);
    } catch {
      return null;
    }
  }

  private reopen(st: fs.Stats, offset: number): void {
    this.closeFd();
    try {
      this.fd = fs.openSync(this.file, 'r');
    } catch (e) {
      this.warn(`cannot open ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      return;
    }
    this.ino = st.ino;
    this.offset = offset;
    this.restart();
  }

  private restart(): void {
    this.partial = '';
    this.line = 0;
    this.decoder = new StringDecoder('utf8');
  }

  private closeFd(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** the events of the lines completed since the last poll */
  private poll(): SourcedEvent[] {
    const st = this.stat();
    if (st === null) {
      this.closeFd();
      return [];
    }
    if (this.fd === null || st.ino !== this.ino) this.reopen(st, 0);
    else if (st.size < this.offset) {
      this.offset = 0;
      this.restart();
    }
    if (this.fd === null) return [];
    const out: SourcedEvent[] = [];
    for (;;) {
      const n = fs.readSync(this.fd, this.buf, 0, CHUNK, this.offset);
      if (n <= 0) break;
      this.offset += n;
      const lines = (this.partial + this.decoder.write(this.buf.subarray(0, n))).split('\n');
      this.partial = lines.pop() ?? '';
      for (const l of lines) {
        this.line++;
        if (l.trim().length > 0)
          out.push(...eventsOfLine(l, `${this.file}:${this.line}`, this.maxEventSize, this.warn, false));
      }
    }
    return out;
  }

  next(): SourceBatch | Promise<SourceBatch> {
    if (this.closed) return { kind: 'eof' };
    const events = this.poll();
    if (events.length > 0) return { kind: 'events', events };
    return new Promise((resolve) => setTimeout(() => resolve({ kind: 'timeout' }), POLL_MS));
  }

  close(): void {
    this.closed = true;
    this.closeFd();
  }
}
