/**
 * Buffered synchronous writer for stdout/stderr. Lines are byte strings (latin1) so trace
 * bytes reach the terminal unchanged; EAGAIN on non-blocking pipes is retried, EPIPE ends
 * the output quietly (as `falco-ts ... | head` expects).
 */
import * as fs from 'node:fs';

export class Out {
  private buf = '';
  closed = false;
  constructor(private readonly fd: number, private readonly limit = 1 << 16) {}

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= this.limit) this.flush();
  }

  line(s: string): void {
    this.buf += s + '\n';
    if (this.buf.length >= this.limit) this.flush();
  }

  flush(): void {
    if (this.closed) { this.buf = ''; return; }
    let data = Buffer.from(this.buf, 'latin1');
    this.buf = '';
    while (data.length > 0) {
      try {
        const n = fs.writeSync(this.fd, data);
        data = data.subarray(n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); continue; }
        if (code === 'EPIPE') { this.closed = true; return; }
        throw e;
      }
    }
  }
}
