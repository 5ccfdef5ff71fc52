/**
 * The k8saudit file source (open_params without a scheme): a file of JSON documents, one a
 * line (JSONL: an Event, an EventList, or an array of them), or a directory whose files are
 * read in modification-time order, as the Go plugin does. Files are read in chunks, so a large
 * audit log streams. A line that is not JSON is an error naming the file and line; a JSON
 * line that holds no audit event, or an event that cannot be used, is reported through `warn`
 * and skipped, as the plugin logs it and goes on.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceBatch, SourceInstance, SourcedEvent } from '../api';
import { InputError } from '../../util/errors';
import { eventsOfLine } from './audit-events';

const CHUNK = 1 << 20;
/** events handed out per next() */
const BATCH = 256;

/** The files to read: the file itself, or a directory's regular files, oldest first. */
export function auditFiles(p: string): string[] {
  const target = p.trim();
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch (e) {
    throw new InputError(
      `k8saudit: cannot open ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (!st.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .map((n) => path.join(target, n))
    .map((f) => ({ f, st: fs.statSync(f) }))
    .filter((x) => !x.st.isDirectory())
    .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs)
    .map((x) => x.f);
}

/**
 * Whether `p` looks like an audit log: its first non-empty line (within the first MiB) is a
 * JSON Event or EventList, or an array starting with one. Lets `replay audit.json` pick the
 * k8saudit source without being told.
 */
export function isAuditLog(p: string): boolean {
  let text: string;
  try {
    const fd = fs.openSync(p, 'r');
    try {
      const buf = Buffer.alloc(CHUNK);
      text = buf.toString('utf8', 0, fs.readSync(fd, buf, 0, CHUNK, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
  const first = text.split('\n').find((l) => l.trim().length > 0);
  if (first === undefined) return false;
  try {
    const v = JSON.parse(first) as unknown;
    const doc = Array.isArray(v) ? (v[0] as unknown) : v;
    const kind = (doc as { kind?: unknown } | null)?.kind;
    return kind === 'Event' || kind === 'EventList';
  } catch {
    return false;
  }
}

/** Lines of a file, read a chunk at a time (the text of a line split across chunks is joined). */
class LineReader {
  private readonly fd: number;
  private rest = '';
  private lines: string[] = [];
  private eof = false;
  private readonly buf = Buffer.alloc(CHUNK);
  private readonly decoder = new TextDecoder('utf-8');
  line = 0;

  constructor(readonly file: string) {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch (e) {
      throw new InputError(
        `k8saudit: cannot open ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }

  /** the next line (without its end of line), or null at the end of the file */
  next(): string | null {
    while (this.lines.length === 0) {
      if (this.eof) return null;
      const n = fs.readSync(this.fd, this.buf, 0, CHUNK, null);
      let text: string;
      if (n === 0) {
        this.eof = true;
        text = this.rest + this.decoder.decode();
        this.rest = '';
        if (text.length > 0) this.lines.push(text);
        continue;
      }
      text = this.rest + this.decoder.decode(this.buf.subarray(0, n), { stream: true });
      const parts = text.split('\n');
      this.rest = parts.pop() ?? '';
      this.lines = parts;
    }
    this.line++;
    const l = this.lines.shift() as string;
    return l.endsWith('\r') ? l.slice(0, -1) : l;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

export class AuditFileSource implements SourceInstance {
  private readonly files: string[];
  private reader: LineReader | null = null;
  private pending: SourcedEvent[] = [];

  constructor(
    params: string,
    private readonly maxEventSize: number,
    private readonly warn: (msg: string) => void,
  ) {
    this.files = auditFiles(params);
  }

  next(): SourceBatch {
    while (this.pending.length < BATCH) {
      if (!this.readLine()) {
        const events = this.pending;
        this.pending = [];
        return { kind: 'eof', events };
      }
    }
    return { kind: 'events', events: this.pending.splice(0, BATCH) };
  }

  /** reads one line's events into `pending`; false at the end of the last file */
  private readLine(): boolean {
    for (;;) {
      if (this.reader === null) {
        const f = this.files.shift();
        if (f === undefined) return false;
        this.reader = new LineReader(f);
      }
      const line = this.reader.next();
      if (line === null) {
        this.reader.close();
        this.reader = null;
        continue;
      }
      if (line.trim().length > 0) this.parseLine(line);
      return true;
    }
  }

  private parseLine(line: string): void {
    const where = `${(this.reader as LineReader).file}:${(this.reader as LineReader).line}`;
    this.pending.push(...eventsOfLine(line, where, this.maxEventSize, this.warn, true));
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
    this.files.length = 0;
  }
}
