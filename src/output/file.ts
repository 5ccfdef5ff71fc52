/**
 * `file:PATH` output: appends one alert per line (text, or JSON with --json). A new file is
 * created with mode 0600 (alerts can carry command lines and paths). Each alert is written
 * with one synchronous append so a crash loses nothing already emitted. reopen() (SIGUSR1)
 * opens PATH again, so logrotate can rename the file and signal, as with Falco.
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
      this.fd = openForAppend(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new InputError(`--output file:${path}: cannot open for appending (${err.code ?? err.message})`);
    }
  }

  /**
   * Opens PATH again (a new file if it was renamed) and writes there from now on. When it
   * cannot be opened, says why and keeps writing to the file it had: nothing is lost.
   */
  reopen(): boolean {
    if (this.fd < 0) return false;
    let fd: number;
    try {
      fd = openForAppend(this.path);
    } catch (e) {
      this.opts.log?.(
        `${this.name}: cannot reopen (${(e as NodeJS.ErrnoException).code ?? String(e)}); still writing to the file opened before`,
      );
      return false;
    }
    const old = this.fd;
    this.fd = fd;
    this.warned = false;
    try {
      fs.closeSync(old);
    } catch {
      /* nothing left to lose: every alert was written through */
    }
    return true;
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

function openForAppend(path: string): number {
  return fs.openSync(path, 'a', 0o600);
}
