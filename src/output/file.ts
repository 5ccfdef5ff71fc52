/**
 * `file:PATH` output: appends one alert per line (text, or JSON with --json). A new file is
 * created with mode 0600 (alerts can carry command lines and paths). Each alert is written
 * with one synchronous append so a crash loses nothing already emitted.
 */
import * as fs from 'node:fs';
import { AlertOutput, FalcoAlert, newCounters } from '../alert/alert';
import { alertLineBuffer } from '../alert/render';
import { InputError } from '../util/errors';

export interface FileOutputOptions {
  json?: boolean;
  /** warnings (write errors), once per kind */
  log?: (msg: string) => void;
}

export class FileOutput implements AlertOutput {
  readonly name: string;
  readonly counters = newCounters();
  private fd: number;
  private warned = false;

  constructor(
    readonly path: string,
    private readonly opts: FileOutputOptions = {},
  ) {
    this.name = `file:${path}`;
    try {
      this.fd = fs.openSync(path, 'a', 0o600);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new InputError(`--output file:${path}: cannot open for appending (${err.code ?? err.message})`);
    }
  }

  emit(a: FalcoAlert): void {
    if (this.fd < 0) {
      this.counters.dropped++;
      return;
    }
    const data = alertLineBuffer(a, this.opts.json === true);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off);
      this.counters.sent++;
    } catch (e) {
      this.counters.failed++;
      if (!this.warned) {
        this.warned = true;
        this.opts.log?.(
          `${this.name}: write failed (${(e as NodeJS.ErrnoException).code ?? String(e)}); failed alerts are counted in the summary`,
        );
      }
    }
  }

  pending(): number {
    return 0;
  }

  flush(): void {
    /* every emit is written through */
  }

  close(): Promise<void> {
    if (this.fd >= 0) {
      try {
        fs.closeSync(this.fd);
      } catch {
        /* already reported */
      }
      this.fd = -1;
    }
    return Promise.resolve();
  }
}
