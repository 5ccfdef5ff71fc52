/**
 * `program:CMD` output: one long-lived `sh -c CMD` reading alerts on its stdin, one per line
 * (text, or JSON with --json), like Falco's program_output. If the program dies it is started
 * again with exponential backoff; alerts whose write failed go back to the queue (retried).
 *
 * Limit (as in Falco): the OS does not say what a program had read before it exited, so lines
 * still sitting in the pipe buffer when it dies are counted as sent.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { AlertOutput, FalcoAlert, newCounters } from '../alert/alert';
import { alertLineBuffer } from '../alert/render';
import { BoundedQueue } from './queue';
import { sleep, waitFor } from './wait';

export interface ProgramOptions {
  json?: boolean;
  /** alerts waiting for the program (default 10000) */
  queueCapacity?: number;
  /** first restart delay (default 100 ms), doubled per quick death up to maxRestartDelayMs */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** write attempts per alert before it counts as failed (default 5) */
  maxAttempts?: number;
  log?: (msg: string) => void;
  /** the line written for an alert (without its newline); default Falco text or JSON */
  format?: (a: FalcoAlert) => string;
  /** name shown in logs and the summary (default: program:FIRST-WORD …) */
  displayName?: string;
}

interface Item {
  data: Buffer;
  attempts: number;
}

const STABLE_MS = 5000;

/** What logs may show of a command: its first word (arguments can hold tokens). */
export function programDisplayName(cmd: string): string {
  const first = cmd.trim().split(/\s+/)[0] ?? '';
  return 'program:' + first + (cmd.trim() !== first ? ' …' : '');
}

export class ProgramOutput implements AlertOutput {
  readonly name: string;
  readonly counters = newCounters();
  /** times the program was started again after it died */
  restarts = 0;
  private readonly queue: BoundedQueue<Item>;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private inFlight = 0;
  private waitingDrain = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private delay: number;
  private closing = false;
  private closed = false;
  private warnedFull = false;
  private logged = 0;

  constructor(
    readonly command: string,
    private readonly opts: ProgramOptions = {},
  ) {
    this.name = opts.displayName ?? programDisplayName(command);
    this.queue = new BoundedQueue(opts.queueCapacity ?? 10000);
    this.delay = opts.restartDelayMs ?? 100;
    this.start();
  }

  /** pid of the running program, or null */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  emit(a: FalcoAlert): void {
    if (this.closing) {
      this.counters.dropped++;
      return;
    }
    const data =
      this.opts.format !== undefined
        ? Buffer.from(this.opts.format(a) + '\n', 'utf8')
        : alertLineBuffer(a, this.opts.json === true);
    if (!this.queue.push({ data, attempts: 0 })) {
      this.counters.dropped++;
      if (!this.warnedFull) {
        this.warnedFull = true;
        this.log(`${this.name}: queue full (${this.queue.capacity}); dropping alerts (counted in the summary)`);
      }
      return;
    }
    this.pump();
  }

  pending(): number {
    return this.queue.length + this.inFlight;
  }

  flush(): void {
    /* asynchronous: see close() */
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    this.pump();
    await waitFor(() => this.pending() === 0, deadline);
    if (this.restartTimer !== null) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const left = this.queue.drain();
    this.counters.dropped += left.length;
    const child = this.child;
    if (child !== null) {
      child.stdin?.end();
      // a program gets at least a moment to finish its work after EOF
      const exited = await waitFor(
        () => child.exitCode !== null || child.signalCode !== null,
        Math.max(deadline, Date.now() + 1000),
      );
      if (!exited) {
        child.kill('SIGTERM');
        await waitFor(() => child.exitCode !== null || child.signalCode !== null, Date.now() + 1000);
      }
    }
    // writes still unconfirmed after the deadline
    if (this.inFlight > 0) {
      this.counters.failed += this.inFlight;
      this.inFlight = 0;
    }
    this.closed = true;
    await sleep(0);
  }

  private log(msg: string): void {
    this.opts.log?.(msg);
  }

  private start(): void {
    this.restartTimer = null;
    if (this.closing && this.queue.length === 0) return;
    const child = spawn('sh', ['-c', this.command], { stdio: ['pipe', 'inherit', 'inherit'] });
    this.child = child;
    this.startedAt = Date.now();
    this.waitingDrain = false;
    child.stdin.on('error', () => {
      /* reported per write, handled on exit */
    });
    child.stdin.on('drain', () => {
      this.waitingDrain = false;
      this.pump();
    });
    child.on('error', (e) => {
      this.log(`${this.name}: cannot start (${(e as NodeJS.ErrnoException).code ?? e.message})`);
    });
    child.on('close', (code, signal) => this.onExit(child, code, signal));
    this.pump();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.closed || (this.closing && this.queue.length === 0 && this.inFlight === 0)) return;
    const lived = Date.now() - this.startedAt;
    if (lived >= STABLE_MS) this.delay = this.opts.restartDelayMs ?? 100;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.opts.maxRestartDelayMs ?? 5000);
    this.restarts++;
    if (this.logged < 5) {
      this.logged++;
      const how = signal !== null ? `signal ${signal}` : `code ${code}`;
      this.log(
        `${this.name}: exited (${how}); restarting in ${wait} ms${this.logged === 5 ? ' (further restarts not logged)' : ''}`,
      );
    }
    this.restartTimer = setTimeout(() => this.start(), wait);
  }

  private pump(): void {
    const child = this.child;
    if (child === null || this.waitingDrain) return;
    const stdin = child.stdin;
    if (stdin === null || stdin.destroyed || !stdin.writable) return;
    while (this.queue.length > 0) {
      const item = this.queue.shift()!;
      item.attempts++;
      this.inFlight++;
      const ok = stdin.write(item.data, (err) => {
        this.inFlight--;
        if (!err) {
          this.counters.sent++;
          return;
        }
        if (item.attempts >= (this.opts.maxAttempts ?? 5)) {
          this.counters.failed++;
          return;
        }
        this.counters.retried++;
        this.queue.unshift(item);
        // the program is gone or going: the exit handler restarts it and pump() resumes
      });
      if (!ok) {
        this.waitingDrain = true;
        return;
      }
    }
  }
}
