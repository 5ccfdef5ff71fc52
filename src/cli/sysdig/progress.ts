/**
 * sysdig -P on stderr: the percentage of the file read, as `\r12.34`, each new value first
 * blanking the previous one; `\r100.00` and a newline at the end of each file. One object
 * for the whole run: like sysdig's globals, the last value printed carries over to the next
 * file (a second file ends with the blanking and the newline only).
 * (sysdig updates it every 10000 events; here after each chunk the reader reads.)
 */
import type { ReadProgress } from '../../scap/file-source';

export class SysdigProgress {
  private line = '';
  private last = 0;

  constructor(private readonly write: (s: string) => void = (s) => process.stderr.write(s)) {}

  private clean(): void {
    this.line = ' '.repeat(this.line.length);
    this.write('\r' + this.line);
  }

  private show(pct: number): void {
    if (pct - this.last <= 0.1) return;
    this.clean();
    this.line = pct.toFixed(2);
    this.write('\r' + this.line);
    this.last = pct;
  }

  hook(): ReadProgress {
    return {
      onProgress: (bytes, size) => {
        if (size > 0 && bytes < size) this.show((bytes / size) * 100);
      },
    };
  }

  /** the run failed before or while reading (sysdig: handle_end_of_file without an inspector) */
  failed(): void {
    this.clean();
    this.write('\r100.00\n');
  }

  /** the end of a file */
  end(): void {
    this.clean();
    this.show(100);
    this.write('\n');
  }
}
